//! Which addresses a published page may carry.
//!
//! A notice links only to web pages, mail and telephone numbers, and loads
//! nothing from another site: a link's address is relative or `http:`,
//! `https:`, `mailto:` or `tel:`; an image's (or any other loaded
//! resource's) is relative to the site. Anything else (`javascript:`,
//! `vbscript:`, `data:`, a remote or protocol-relative image) is refused.
//!
//! Addresses are judged the way a browser reads them, and more strictly
//! where the two could differ: leading and trailing controls and spaces are
//! dropped and tabs and line breaks removed anywhere (`java\tscript:` is
//! `javascript:` to a browser), `\` counts as `/`, and percent-escapes are
//! decoded before the scheme is read, so no spelling slips through.

use percent_encoding::percent_decode_str;

/// Schemes a link may use, in lower case.
const LINK_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// What an address is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Followed when the reader clicks it (`<a href>`).
    Link,
    /// Loaded with the page (`<img src>`, a CSS `url()`).
    Resource,
}

/// Why an address is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A scheme that is not allowed for the use, in lower case, e.g.
    /// `javascript`; controls in it are shown escaped.
    Scheme(String),
    /// A resource on another site: an `http:`/`https:` or
    /// protocol-relative (`//host/…`) address.
    Remote,
}

/// Whether a page may carry `address` for `purpose`.
pub fn check(address: &str, purpose: Use) -> Result<(), Refused> {
    let address = as_read(address);
    let scheme = scheme(&address);
    match (purpose, scheme) {
        (Use::Link, None) => Ok(()),
        (Use::Link, Some(scheme)) if LINK_SCHEMES.contains(&scheme.as_str()) => Ok(()),
        (Use::Resource, None) if !address.starts_with("//") => Ok(()),
        (Use::Resource, None) => Err(Refused::Remote),
        (Use::Resource, Some(scheme)) if scheme == "http" || scheme == "https" => {
            Err(Refused::Remote)
        }
        (Use::Link | Use::Resource, Some(scheme)) => Err(Refused::Scheme(shown(&scheme))),
    }
}

/// The address as the check reads it: percent-escapes decoded, outer
/// controls and spaces dropped, tabs and line breaks removed, `\` as `/`.
fn as_read(address: &str) -> String {
    let decoded = percent_decode_str(address).decode_utf8_lossy();
    decoded
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect()
}

/// The address's scheme in lower case, if a `:` comes before any `/`, `?`
/// or `#`. Whatever precedes that colon counts as a scheme, even where a
/// browser would read a relative path: refusing `a b:c` costs nothing.
fn scheme(address: &str) -> Option<String> {
    let end = address.find([':', '/', '?', '#'])?;
    address[end..]
        .starts_with(':')
        .then(|| address[..end].to_lowercase())
}

/// A scheme as messages show it, with any control character escaped.
fn shown(scheme: &str) -> String {
    scheme
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme(name: &str) -> Result<(), Refused> {
        Err(Refused::Scheme(name.to_string()))
    }

    #[test]
    fn links_to_pages_mail_and_phones_pass() {
        for address in [
            "https://www.gov.cn/",
            "HTTP://example.gov.cn/a?b=c#d",
            "mailto:office@example.gov.cn",
            "tel:0539-7215008",
            "#appendix-1",
            "../2019-01-05/index.html",
            "towns.csv",
            "//www.gov.cn/",
            "",
        ] {
            assert_eq!(check(address, Use::Link), Ok(()), "{address:?}");
        }
    }

    #[test]
    fn every_spelling_of_a_script_link_is_refused() {
        for address in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "  javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "%6Aavascript:alert(1)",
            "java%09script:alert(1)",
            "javascript%3Aalert(1)",
        ] {
            assert_eq!(
                check(address, Use::Link),
                scheme("javascript"),
                "{address:?}"
            );
        }
        assert_eq!(check("VBScript:msgbox", Use::Link), scheme("vbscript"));
        assert_eq!(check("data:text/html,<script>", Use::Link), scheme("data"));
        assert_eq!(check("file:///etc/passwd", Use::Link), scheme("file"));
        assert_eq!(
            check("java\u{1}script:x", Use::Link),
            scheme("java\\u{1}script")
        );
    }

    #[test]
    fn a_resource_comes_from_the_site_itself() {
        assert_eq!(check("../static/logo.png", Use::Resource), Ok(()));
        assert_eq!(check("logo.png", Use::Resource), Ok(()));
        for address in [
            "http://evil.example/x.png",
            "HTTPS://evil.example/x.png",
            "//evil.example/x.png",
            " //evil.example/x.png",
            "\\\\evil.example/x.png",
            "/\\evil.example/x.png",
            "%2F%2Fevil.example/x.png",
        ] {
            assert_eq!(
                check(address, Use::Resource),
                Err(Refused::Remote),
                "{address:?}"
            );
        }
        assert_eq!(
            check("data:image/png;base64,AAAA", Use::Resource),
            scheme("data")
        );
        assert_eq!(
            check("javascript:alert(1)", Use::Resource),
            scheme("javascript")
        );
    }
}
