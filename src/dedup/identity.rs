//! Which stored article a feed item is: GUID first, then the canonical URL, then the headline
//! and date, with the rules that catch GUIDs that are missing, unstable (new on every fetch)
//! or reused (one GUID for several articles), and edits (same article, new title or text).

use super::hash::stable_hash;
use super::url::canonical_url;
use crate::related::tokenize::for_each_word;

/// The lookup keys of one feed item. The store keeps all three beside each article (indexed)
/// and asks for the article holding each key; `resolve_identity` then decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemKeys {
    /// `guid:<feed>:<guid>`: the feed's own id, meaningful within that feed only.
    pub guid: Option<String>,
    /// `url:<canonical url>`: global, so a URL variant seen in any feed is the same article.
    pub url: Option<String>,
    /// `title:<feed>:<hash of folded headline>:<day>`: the last resort for items with neither.
    pub title: Option<String>,
}

/// Computes the lookup keys of an item of feed `feed` (the feed's `name`).
pub fn item_keys(
    feed: &str,
    guid: Option<&str>,
    link: Option<&str>,
    title: Option<&str>,
    published: Option<i64>,
) -> ItemKeys {
    let guid = guid.map(str::trim).filter(|g| !g.is_empty());
    let url = link
        .and_then(canonical_url)
        .or_else(|| guid.and_then(canonical_url))
        .map(|u| format!("url:{u}"));
    let guid = guid.map(|g| format!("guid:{feed}:{g}"));
    let title = title
        .map(|t| {
            let mut joined = String::with_capacity(t.len());
            push_words(&mut joined, t);
            joined
        })
        .filter(|t| !t.is_empty())
        .map(|t| {
            let day = published.map_or(String::new(), |p| p.div_euclid(86_400).to_string());
            format!("title:{feed}:{:016x}:{day}", stable_hash(t.as_bytes()))
        });
    ItemKeys { guid, url, title }
}

/// The single identity string of an item: its GUID key when there is one, else its canonical
/// URL key, else its headline key, else a hash of nothing-better (`none:<feed>`).
pub fn item_identity(
    feed: &str,
    guid: Option<&str>,
    link: Option<&str>,
    title: Option<&str>,
    published: Option<i64>,
) -> String {
    // The GUID key wins whenever there is one; only without one are the URL and headline
    // keys computed.
    if let Some(guid) = guid.map(str::trim).filter(|g| !g.is_empty()) {
        return format!("guid:{feed}:{guid}");
    }
    let keys = item_keys(feed, None, link, title, published);
    keys.url
        .or(keys.title)
        .unwrap_or_else(|| format!("none:{feed}"))
}

/// What the store knows about an article already stored under one of the item's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownArticle {
    /// The article's database id.
    pub id: i64,
    /// Its keys as stored.
    pub keys: ItemKeys,
    /// `content_hash` of its title and text as stored.
    pub content_hash: u64,
}

/// The decision for an incoming item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// Not seen before: insert it (then look for copies and related stories).
    New,
    /// The stored article `id`, unchanged: nothing to do.
    Unchanged(i64),
    /// The stored article `id` with a new title or text: update it in place.
    Edited(i64),
}

/// Decides whether an item is new, unchanged or an edit of a stored article, given the
/// articles found under its URL key, its GUID key and its title key (in that order of trust).
///
/// - A URL match always wins: tracking-parameter and http/https variants are the same page,
///   and a feed whose GUIDs change on every fetch still keeps its links.
/// - A GUID match counts unless both the canonical URL and the headline differ: that is a
///   feed reusing one GUID for different articles.
/// - The title key (same feed, headline, day) is used only when the item has no GUID and no
///   URL, so that identical headlines of different articles with links never collide.
pub fn resolve_identity(
    item: &ItemKeys,
    item_content_hash: u64,
    by_url: Option<&KnownArticle>,
    by_guid: Option<&KnownArticle>,
    by_title: Option<&KnownArticle>,
) -> Identity {
    let guid_ok = |known: &&KnownArticle| {
        let url_differs =
            item.url.is_some() && known.keys.url.is_some() && item.url != known.keys.url;
        let title_differs = item.title != known.keys.title;
        !(url_differs && title_differs)
    };
    let title_ok = |_: &&KnownArticle| item.guid.is_none() && item.url.is_none();
    let found = by_url
        .or_else(|| by_guid.filter(guid_ok))
        .or_else(|| by_title.filter(title_ok));
    match found {
        None => Identity::New,
        Some(k) if k.content_hash == item_content_hash => Identity::Unchanged(k.id),
        Some(k) => Identity::Edited(k.id),
    }
}

/// A stable hash of an item's headline and text (folded words), stored to detect edits while
/// ignoring changes of markup, case or spacing.
pub fn content_hash(title: &str, text: &str) -> u64 {
    // The words joined by spaces, the title's and the text's parted by U+0001, written into
    // one buffer (a `String` per word was half the cost of planning a known item).
    let mut joined = String::with_capacity(title.len() + text.len() + 1);
    push_words(&mut joined, title);
    joined.push('\u{1}');
    push_words(&mut joined, text);
    stable_hash(joined.as_bytes())
}

/// Appends the [`for_each_word`] words of `text` to `out`, separated by one space.
fn push_words(out: &mut String, text: &str) {
    let mut first = true;
    for_each_word(text, |w| {
        if !std::mem::take(&mut first) {
            out.push(' ');
        }
        out.push_str(w);
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(
        id: i64,
        feed: &str,
        guid: Option<&str>,
        link: Option<&str>,
        title: &str,
    ) -> KnownArticle {
        KnownArticle {
            id,
            keys: item_keys(feed, guid, link, Some(title), Some(0)),
            content_hash: content_hash(title, "body"),
        }
    }

    #[test]
    fn content_hash_is_the_hash_of_the_joined_folded_words() {
        // Stored hashes were made by joining `words` with spaces: an edit check must give the
        // same value for the same entry across versions.
        use crate::related::tokenize::words;
        let cases = [
            ("", ""),
            ("Title", ""),
            ("", "  body  text "),
            (
                "Beyrouth: l'État répond",
                "<p>ignored</p>  Deux   mots.\n\nÉté 2026 — fin",
            ),
            ("لبنان اليوم", "نص الخبر مع أرقام ١٢٣ and ASCII"),
        ];
        for (title, text) in cases {
            let old = format!("{}\u{1}{}", words(title).join(" "), words(text).join(" "));
            assert_eq!(
                content_hash(title, text),
                stable_hash(old.as_bytes()),
                "{title:?} {text:?}"
            );
        }
    }

    #[test]
    fn keys_of_url_variants_are_equal() {
        let a = item_keys("f", None, Some("http://ex.com/a?utm_source=x"), None, None);
        let b = item_keys("g", None, Some("https://www.ex.com/a#top"), None, None);
        assert_eq!(a.url, b.url);
        assert_eq!(a.url.as_deref(), Some("url:https://ex.com/a"));
    }

    #[test]
    fn identity_prefers_guid_then_url_then_title() {
        type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, &'a str);
        let cases: &[Case] = &[
            (
                Some("tag:x,1"),
                Some("https://ex.com/a"),
                Some("T"),
                "guid:f:tag:x,1",
            ),
            (
                Some("  "),
                Some("https://ex.com/a?fbclid=1"),
                Some("T"),
                "url:https://ex.com/a",
            ),
            (None, None, Some("Fire downtown"), "title:f:"),
            (None, None, None, "none:f"),
        ];
        for (guid, link, title, want) in cases {
            let got = item_identity("f", *guid, *link, *title, Some(86_400));
            assert!(got.starts_with(want), "{got} vs {want}");
        }
    }

    #[test]
    fn resolve_cases() {
        let stored = known(
            1,
            "f",
            Some("g1"),
            Some("https://ex.com/a"),
            "Fire downtown",
        );
        let hash_same = stored.content_hash;
        let keys = |guid, link: &str, title| item_keys("f", guid, Some(link), Some(title), Some(0));
        // Same GUID, same everything: unchanged.
        let k = keys(Some("g1"), "https://ex.com/a", "Fire downtown");
        assert_eq!(
            resolve_identity(&k, hash_same, Some(&stored), Some(&stored), None),
            Identity::Unchanged(1)
        );
        // Same GUID, new headline: edited in place.
        let k = keys(Some("g1"), "https://ex.com/a", "Fire downtown kills two");
        let h = content_hash("Fire downtown kills two", "body");
        assert_eq!(
            resolve_identity(&k, h, Some(&stored), Some(&stored), None),
            Identity::Edited(1)
        );
        // Unstable GUID (new each fetch), same link with tracking: the same article.
        let k = keys(
            Some("g-random"),
            "http://ex.com/a?utm_medium=rss",
            "Fire downtown",
        );
        assert_eq!(
            resolve_identity(&k, hash_same, Some(&stored), None, None),
            Identity::Unchanged(1)
        );
        // Reused GUID: other link and other headline, a new article.
        let k = keys(Some("g1"), "https://ex.com/b", "Council votes budget");
        assert_eq!(
            resolve_identity(&k, 9, None, Some(&stored), None),
            Identity::New
        );
        // Same GUID, slug changed but same headline: edited, not new.
        let k = keys(Some("g1"), "https://ex.com/a-v2", "Fire downtown");
        assert_eq!(
            resolve_identity(&k, 9, None, Some(&stored), None),
            Identity::Edited(1)
        );
        // Title key alone only when the item has neither GUID nor link.
        let k = item_keys("f", None, None, Some("Fire downtown"), Some(0));
        assert_eq!(
            resolve_identity(&k, hash_same, None, None, Some(&stored)),
            Identity::Unchanged(1)
        );
        let k = keys(None, "https://ex.com/c", "Fire downtown");
        assert_eq!(
            resolve_identity(&k, hash_same, None, None, Some(&stored)),
            Identity::New
        );
    }

    #[test]
    fn content_hash_ignores_markup_noise() {
        assert_eq!(
            content_hash("Fire  Downtown", "Two hurt."),
            content_hash("fire downtown", "two hurt")
        );
        assert_ne!(
            content_hash("Fire downtown", "Two hurt."),
            content_hash("Fire downtown", "Three hurt.")
        );
    }
}
