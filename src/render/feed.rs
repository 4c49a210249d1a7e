//! `sitemap.xml` and the Atom feed `atom.xml`: the notices for search
//! engines and feed readers.
//!
//! Addresses are absolute only when `site.toml` sets `base_url`; otherwise
//! they are relative to the site root, where both files live. Every date
//! comes from the notices' issue dates, never from the clock.

use std::fmt::Write;

use chrono::NaiveDate;
use uuid::Uuid;

use super::view::NoticeLink;

/// Path of the feed, from the site root.
pub const ATOM_PATH: &str = "atom.xml";
/// Path of the sitemap, from the site root.
pub const SITEMAP_PATH: &str = "sitemap.xml";
/// Path of the home page, from the site root.
const HOME_PATH: &str = super::address::PAGE_FILE;
/// Issue dates are dates in China; the feed needs a time, so it says midnight
/// China Standard Time (China has one time zone and no daylight saving).
const DAY_START: &str = "T00:00:00+08:00";

/// What the feed says about the site.
pub struct FeedSite<'a> {
    pub title: &'a str,
    /// 发文机关: the feed's author, and part of every entry's identity.
    pub office: &'a str,
    pub language: &'a str,
    /// Absolute address of the site, ending in `/`, if configured.
    pub base_url: Option<&'a str>,
}

impl FeedSite<'_> {
    /// The address of `path` (from the site root): absolute with a base URL,
    /// else as it is.
    fn url(&self, path: &str) -> String {
        match self.base_url {
            Some(base) => format!("{base}{path}"),
            None => path.to_string(),
        }
    }
}

/// A page of the site beside the notices (a ledger, a unit's page), for
/// the sitemap: its path from the site root and the issue date of the
/// newest notice it depends on.
pub struct OtherPage {
    pub path: String,
    pub lastmod: Option<NaiveDate>,
}

/// The sitemap: the home page, then every notice, newest first as given,
/// then the other pages in the order given. Each notice's `lastmod` is its
/// issue date; the home page's is the newest.
pub fn sitemap(site: &FeedSite, notices: &[NoticeLink], others: &[OtherPage]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let newest = notices.iter().map(|notice| notice.issued).max();
    push_url(&mut xml, &site.url(HOME_PATH), newest);
    for notice in notices {
        push_url(&mut xml, &site.url(&notice.href), Some(notice.issued));
    }
    for page in others {
        push_url(&mut xml, &site.url(&page.path), page.lastmod);
    }
    xml.push_str("</urlset>\n");
    xml
}

fn push_url(xml: &mut String, loc: &str, lastmod: Option<NaiveDate>) {
    let _ = write!(xml, "<url><loc>{}</loc>", escape(loc));
    if let Some(date) = lastmod {
        let _ = write!(xml, "<lastmod>{date}</lastmod>");
    }
    xml.push_str("</url>\n");
}

/// The Atom feed (RFC 4287) of the notices, or `None` when there is none,
/// since a feed must state when it was last updated and only a notice can
/// say that.
///
/// Ids are `urn:uuid:` names derived from the office and each notice's
/// folder, so they stay the same when the site moves or gains a base URL.
pub fn atom(site: &FeedSite, notices: &[NoticeLink]) -> Option<String> {
    let updated = notices.iter().map(|notice| notice.issued).max()?;
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(site.language)
    );
    let _ = writeln!(xml, "<id>{}</id>", identity(site.office, ""));
    let _ = writeln!(xml, "<title>{}</title>", escape(site.title));
    let _ = writeln!(xml, "<updated>{}</updated>", timestamp(updated));
    let _ = writeln!(xml, "<author><name>{}</name></author>", escape(site.office));
    push_link(&mut xml, "alternate", "text/html", &site.url(HOME_PATH));
    if site.base_url.is_some() {
        // A feed's self link is only useful as an absolute address.
        push_link(
            &mut xml,
            "self",
            "application/atom+xml",
            &site.url(ATOM_PATH),
        );
    }
    for notice in notices {
        push_entry(&mut xml, site, notice);
    }
    xml.push_str("</feed>\n");
    Some(xml)
}

fn push_entry(xml: &mut String, site: &FeedSite, notice: &NoticeLink) {
    let folder = notice.href.split('/').next().unwrap_or(&notice.href);
    xml.push_str("<entry>\n");
    let _ = writeln!(xml, "<id>{}</id>", identity(site.office, folder));
    let _ = writeln!(xml, "<title>{}</title>", escape(&notice.title));
    let _ = writeln!(xml, "<published>{}</published>", timestamp(notice.issued));
    let _ = writeln!(xml, "<updated>{}</updated>", timestamp(notice.issued));
    push_link(xml, "alternate", "text/html", &site.url(&notice.href));
    let _ = writeln!(
        xml,
        "<summary>{}，{}，{}</summary>",
        escape(site.office),
        escape(&notice.date),
        escape(&notice.label)
    );
    xml.push_str("</entry>\n");
}

fn push_link(xml: &mut String, rel: &str, media_type: &str, href: &str) {
    let _ = writeln!(
        xml,
        "<link rel=\"{rel}\" type=\"{media_type}\" href=\"{}\"/>",
        escape(href)
    );
}

/// A stable `urn:uuid:` (version 5) for the office's feed (`folder` empty)
/// or for one of its notices.
fn identity(office: &str, folder: &str) -> String {
    let name = format!("tongbao:{office}/{folder}");
    format!(
        "urn:uuid:{}",
        Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes())
    )
}

/// An issue date as an RFC 3339 date-time.
fn timestamp(date: NaiveDate) -> String {
    format!("{date}{DAY_START}")
}

/// Text escaped for XML content and double-quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(slug: &str, issued: (i32, u32, u32)) -> NoticeLink {
        let issued = NaiveDate::from_ymd_opt(issued.0, issued.1, issued.2).unwrap();
        NoticeLink {
            href: format!("{slug}/index.html"),
            title: format!("关于{slug}的通报 & <附件>"),
            label: "2019年1-5月份".to_string(),
            date: crate::notation::format_date(issued),
            iso_date: issued.to_string(),
            year: chrono::Datelike::year(&issued),
            issued,
        }
    }

    fn site(base_url: Option<&str>) -> FeedSite<'_> {
        FeedSite {
            title: "莒南县政务公开通报",
            office: "莒南县人民政府办公室",
            language: "zh-CN",
            base_url,
        }
    }

    #[test]
    fn sitemap_is_relative_without_a_base_url() {
        let notices = [
            notice("2019-06", (2019, 7, 2)),
            notice("2019-01-05", (2019, 6, 5)),
        ];
        assert_eq!(
            sitemap(&site(None), &notices, &[]),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n\
             <url><loc>index.html</loc><lastmod>2019-07-02</lastmod></url>\n\
             <url><loc>2019-06/index.html</loc><lastmod>2019-07-02</lastmod></url>\n\
             <url><loc>2019-01-05/index.html</loc><lastmod>2019-06-05</lastmod></url>\n\
             </urlset>\n"
        );
    }

    #[test]
    fn feed_dates_come_from_issue_dates_and_links_from_the_base_url() {
        let notices = [
            notice("2019-06", (2019, 7, 2)),
            notice("2019-01-05", (2019, 6, 5)),
        ];
        let xml = atom(&site(Some("http://example.gov.cn/tb/")), &notices).unwrap();
        assert!(
            xml.contains("<updated>2019-07-02T00:00:00+08:00</updated>\n<author>"),
            "{xml}"
        );
        assert!(xml.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"http://example.gov.cn/tb/atom.xml\"/>"), "{xml}");
        assert!(
            xml.contains("href=\"http://example.gov.cn/tb/2019-01-05/index.html\""),
            "{xml}"
        );
        assert!(
            xml.contains("<title>关于2019-06的通报 &amp; &lt;附件&gt;</title>"),
            "{xml}"
        );
        assert_eq!(xml.matches("<entry>").count(), 2);
    }

    #[test]
    fn feed_ids_do_not_depend_on_the_base_url() {
        let notices = [notice("2019-01-05", (2019, 6, 5))];
        let ids = |xml: String| -> Vec<String> {
            xml.lines()
                .filter(|line| line.starts_with("<id>"))
                .map(str::to_string)
                .collect()
        };
        let relative = ids(atom(&site(None), &notices).unwrap());
        let absolute = ids(atom(&site(Some("https://a.example/")), &notices).unwrap());
        assert_eq!(relative, absolute);
        assert_eq!(relative.len(), 2);
        assert!(relative[1].starts_with("<id>urn:uuid:"), "{relative:?}");
        assert_ne!(relative[0], relative[1]);
    }

    #[test]
    fn no_notice_means_no_feed() {
        assert_eq!(atom(&site(None), &[]), None);
    }
}
