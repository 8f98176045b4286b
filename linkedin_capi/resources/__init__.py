"""Resources: LinkedIn objects managed through a :class:`~linkedin_capi.client.restli.Requester`.

``rules`` (conversion rules: list, find, create, ensure, update), ``rule_settings`` (what a
rule may be set to) and ``accounts`` (ad accounts the member can use).
"""
