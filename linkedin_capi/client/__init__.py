"""The client: HTTP plumbing for LinkedIn's REST API.

``transport`` (headers, URL checks, error mapping), ``retry`` (backoff policy), ``versions``
(LinkedIn-Version choice), ``tokens`` (token stores), ``oauth`` (the authorization-code
flow), ``restli`` (Rest.li requests and paging, the ``Requester`` protocol) and ``session``
(:class:`Client`, the authenticated session that everything above sends through).
"""
