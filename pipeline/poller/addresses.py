"""Which IP addresses the poller may connect to on a feed's say-so (pure; no sockets).

A feed is written by a stranger, so the links in it must not reach inside the
network the poller runs in. :func:`non_public_reason` names why an address is
not a public internet address — loopback, private (RFC 1918, IPv6 ULA),
link-local (cloud metadata at 169.254.169.254), shared CGNAT space
(100.64.0.0/10), multicast, reserved, unspecified, documentation and other
special-purpose ranges — and looks through IPv6 forms that carry an IPv4
address (IPv4-mapped ``::ffff:a.b.c.d``, 6to4, NAT64, Teredo), so
``::ffff:127.0.0.1`` is loopback too (the deprecated IPv4-compatible ``::a.b.c.d``
lies in reserved space and is refused as such).
"""

from __future__ import annotations

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

CGNAT = ipaddress.ip_network("100.64.0.0/10")
PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def parse(ip: str) -> Address:
    """An address from a socket's text form (an IPv6 zone such as ``%eth0`` is dropped)."""
    return ipaddress.ip_address(ip.split("%", 1)[0])


def embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the forms that carry one."""
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]  # the client's address
    if addr in NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def non_public_reason(ip: str | Address) -> str | None:
    """Why ``ip`` is not a public internet address (e.g. "a loopback address"), or None when it is."""
    addr = parse(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address):
        inner = embedded_ipv4(addr)
        if inner is not None:
            reason = non_public_reason(inner)
            return None if reason is None else f"{reason} (as {addr})"
        if addr in NAT64_LOCAL:
            return "a local-use NAT64 address"
        if addr.is_site_local:
            return "a site-local address"
    return _category(addr)


def _category(addr: Address) -> str | None:
    checks = (
        (addr.is_unspecified, "an unspecified address"),
        (addr.is_loopback, "a loopback address"),
        (addr.is_link_local, "a link-local address"),
        (addr.is_multicast, "a multicast address"),
        (addr.version == 4 and addr in CGNAT, "a shared (CGNAT) address"),
        (any(addr in net for net in PRIVATE if net.version == addr.version), "a private address"),
        (addr.is_reserved, "a reserved address"),
        (not addr.is_global, "a special-purpose (not public) address"),
    )
    return next((reason for hit, reason in checks if hit), None)
