"""URL canonicalisation: one article, one canonical URL, one id."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that track the click, not the content.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi",
    "mkt_tok", "cmpid", "ncid", "ocid", "sr_share", "smid", "smtyp", "cid", "ito", "ref_src", "taid",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "__twitter")


def is_tracking(param: str) -> bool:
    name = param.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters.

    Remaining query parameters are sorted so that their order does not matter.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k))
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


FETCHABLE_SCHEMES = ("http", "https")


def fetch_refusal(url: str) -> str | None:
    """Why the poller will not fetch ``url`` (not http/https, no host), or None when it will."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        return f"refused: malformed URL ({exc})"
    if parts.scheme.lower() not in FETCHABLE_SCHEMES:
        return f"refused: only http and https URLs are fetched, not {parts.scheme or 'a scheme-less'} URL"
    if not parts.hostname:
        return "refused: the URL has no host"
    return None
