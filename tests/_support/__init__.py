"""Helpers shared by the test rooms: fake servers, recordings, frames, scanners."""
