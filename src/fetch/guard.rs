//! Refuses loopback, private, link-local and unspecified addresses: a DNS resolver that
//! checks every resolved IP (so the address connected to is the one checked, with no
//! rebinding gap) and a check for IP-literal URLs, used before a request and on redirects.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// A request was refused because its host is on a private network or loopback.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{host} is {addr}, a private network or loopback address; refused \
     (set [fetch] allow_private_networks = true to allow it)"
)]
pub struct BlockedAddress {
    /// The host name as written in the URL.
    pub host: String,
    /// The address it resolved to.
    pub addr: IpAddr,
}

/// True for addresses a public feed must never make us connect to.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        }
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || a == 0 // "this network" 0.0.0.0/8
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
        || a >= 240 // reserved
}

/// Checks a URL whose host is an IP literal (those never reach the resolver).
pub fn check_literal(url: &url::Url) -> Result<(), BlockedAddress> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    if is_private(ip) {
        return Err(BlockedAddress {
            host: url.host_str().unwrap_or_default().to_string(),
            addr: ip,
        });
    }
    Ok(())
}

/// A resolver that drops private addresses and fails when nothing public remains.
#[derive(Debug, Default, Clone)]
pub struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|a| !is_private(a.ip()))
                .collect();
            if public.is_empty() {
                if let Some(first) = resolved.first() {
                    let err: Box<dyn std::error::Error + Send + Sync> = Box::new(BlockedAddress {
                        host,
                        addr: first.ip(),
                    });
                    return Err(err);
                }
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_addresses() {
        let cases = [
            ("127.0.0.1", true),
            ("10.1.2.3", true),
            ("172.16.0.1", true),
            ("192.168.1.1", true),
            ("100.64.0.1", true),
            ("169.254.169.254", true),
            ("0.0.0.0", true),
            ("::1", true),
            ("fd00::1", true),
            ("fe80::1", true),
            ("::ffff:127.0.0.1", true),
            ("::", true),
            ("93.184.216.34", false),
            ("2606:4700::1111", false),
            ("100.128.0.1", false),
        ];
        for (addr, private) in cases {
            let ip: IpAddr = addr.parse().unwrap();
            assert_eq!(is_private(ip), private, "{addr}");
        }
    }

    #[test]
    fn literal_urls_are_checked() {
        let blocked = url::Url::parse("http://127.0.0.1:8080/feed").unwrap();
        let err = check_literal(&blocked).unwrap_err();
        assert!(err.to_string().contains("private network or loopback"));
        assert!(check_literal(&url::Url::parse("http://[::1]/").unwrap()).is_err());
        assert!(check_literal(&url::Url::parse("https://example.com/").unwrap()).is_ok());
    }
}
