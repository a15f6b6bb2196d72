//! Republish decisions: feed content or extracted page (paywalled teasers lose), and
//! excerpts of whole paragraphs up to about a word budget.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::Article;
use crate::sanitize::{collapse_whitespace, html_to_plain, sanitize_html};

/// Which source an item's published body comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum BodySource {
    /// The feed item's own content.
    Feed,
    /// The article extracted from the linked page.
    Page,
}

/// Phrases of subscription/registration prompts that end a paywalled teaser.
const PAYWALL_PROMPTS: &[&str] = &[
    "subscribe to continue",
    "subscribe to read",
    "subscribers only",
    "to continue reading",
    "already a subscriber",
    "already have an account",
    "sign in to continue",
    "log in to continue",
    "register to continue",
    "create a free account",
    "become a member",
    "this article is for subscribers",
    "this content is for subscribers",
    "exclusive to subscribers",
    "start your free trial",
    "unlock this article",
    "to read the full article",
    "subscribe now",
    "abonnez-vous",
    "réservé aux abonnés",
    "jetzt abonnieren",
    "weiterlesen mit",
];
/// Endings of feed summaries that only tease the article.
const TEASER_ENDINGS: &[&str] = &[
    "…",
    "...",
    "[…]",
    "[...]",
    "read more",
    "continue reading",
    "weiterlesen",
    "lire la suite",
];

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Words of `text` before the first paywall prompt (all of them when there is none).
fn words_before_paywall(text: &str) -> usize {
    let lower = text.to_lowercase();
    // One pass for all the prompts: the leftmost match of any of them.
    match PAYWALL_FINDER.find(&lower) {
        Some(m) => words(lower.get(..m.start()).unwrap_or(&lower)),
        None => words(text),
    }
}

/// An automaton over [`PAYWALL_PROMPTS`] (lowercase), reporting the leftmost match.
static PAYWALL_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(PAYWALL_PROMPTS)
        .expect("the paywall prompts build an automaton")
});

/// Decides whether the feed's content or the extracted page makes the richer body.
pub fn choose_body(feed_html: Option<&str>, page: &Article) -> BodySource {
    let feed_text = feed_html.map(html_to_plain).unwrap_or_default();
    let feed_words = words(&feed_text);
    let page_words = words_before_paywall(&page.text);
    if page_words == 0 {
        return BodySource::Feed;
    }
    if feed_words == 0 {
        return BodySource::Page;
    }
    let teaser = ends_like_teaser(&feed_text);
    let margin = if teaser {
        feed_words
    } else {
        feed_words + feed_words / 5 + 20
    };
    if page_words > margin {
        BodySource::Page
    } else {
        BodySource::Feed
    }
}

/// Characters at the end of a text that [`ends_like_teaser`] lower-cases: at least the
/// longest of [`TEASER_ENDINGS`] (a test checks).
const TAIL_CHARS: usize = 32;

/// Whether `text` ends with one of [`TEASER_ENDINGS`], in any case. Only its last characters
/// are lower-cased: each lower-cases to at least one character, so the lower-cased end of the
/// whole text is made from them (a final capital sigma may lower-case differently without
/// the letters before it, but no ending holds a sigma).
fn ends_like_teaser(text: &str) -> bool {
    let text = text.trim_end();
    let start = text
        .char_indices()
        .rev()
        .nth(TAIL_CHARS - 1)
        .map_or(0, |(at, _)| at);
    let lower = text[start..].to_lowercase();
    TEASER_ENDINGS.iter().any(|e| lower.ends_with(e))
}

/// The first whole paragraphs of `text` (blank-line separated) up to about `max_words`;
/// a first paragraph far over budget is cut at a word boundary with an ellipsis.
pub fn excerpt_text(text: &str, max_words: usize) -> String {
    let paragraphs = text
        .split("\n\n")
        .map(collapse_whitespace)
        .filter(|p| !p.is_empty());
    match leading_within(paragraphs, max_words, |p| words(p)) {
        (kept, _) if !kept.is_empty() => kept.join("\n\n"),
        (_, first) => first.map(|p| cut_words(&p, max_words)).unwrap_or_default(),
    }
}

/// The leading items that fit about `max_words` (the excerpt stops once it has `max_words`,
/// and runs at most a quarter over), and the first item that did not fit. Items are taken
/// one at a time and none after that one: an article is far longer than its excerpt.
fn leading_within<T>(
    items: impl IntoIterator<Item = T>,
    max_words: usize,
    words_of: impl Fn(&T) -> usize,
) -> (Vec<T>, Option<T>) {
    let (mut kept, mut total) = (Vec::new(), 0);
    for item in items {
        let w = words_of(&item);
        if total >= max_words || total + w > max_words + max_words / 4 {
            return (kept, Some(item));
        }
        total += w;
        kept.push(item);
    }
    (kept, None)
}

fn cut_words(p: &str, max_words: usize) -> String {
    let mut out: Vec<&str> = p.split_whitespace().take(max_words).collect();
    if words(p) > max_words {
        out.push("…");
    }
    out.join(" ")
}

/// Like [`excerpt_text`] for HTML: the first top-level blocks up to about `max_words`,
/// sanitized (relative URLs dropped, so pass absolute ones).
pub fn excerpt_html(html: &str, max_words: usize) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    let mut container = fragment.root_element();
    loop {
        let kids: Vec<_> = container.child_elements().collect();
        let has_text = container
            .children()
            .any(|c| c.value().as_text().is_some_and(|t| !t.trim().is_empty()));
        match kids.as_slice() {
            [only] if !has_text && only.child_elements().next().is_some() => container = *only,
            _ => break,
        }
    }
    let blocks = container
        .children()
        .filter_map(|c| match scraper::ElementRef::wrap(c) {
            Some(e) => Some((e.html(), e.text().collect::<String>())),
            None => c.value().as_text().map(|t| (t.to_string(), t.to_string())),
        })
        .filter(|(_, t)| !t.trim().is_empty());
    match leading_within(blocks, max_words, |(_, t)| words(t)) {
        (kept, _) if !kept.is_empty() => {
            let joined: String = kept.iter().map(|(h, _)| h.as_str()).collect();
            sanitize_html(&joined, None)
        }
        (_, first) => {
            let first = first
                .map(|(_, t)| cut_words(&t, max_words))
                .unwrap_or_default();
            sanitize_html(&format!("<p>{}</p>", html_escape(&first)), None)
        }
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(text: &str) -> Article {
        Article {
            text: text.to_string(),
            ..Article::default()
        }
    }

    #[test]
    fn teaser_endings_are_found_as_in_the_whole_lower_cased_text() {
        let whole = |t: &str| {
            let lower = t.to_lowercase();
            TEASER_ENDINGS.iter().any(|e| lower.trim_end().ends_with(e))
        };
        // What the shortcut relies on: every ending fits the tail and holds no sigma.
        for ending in TEASER_ENDINGS {
            assert!(ending.chars().count() <= TAIL_CHARS, "{ending}");
            assert!(!ending.contains(['σ', 'ς']), "{ending}");
        }
        let long = "Word ".repeat(40);
        let starts = ["", "x", "ΟΔΥΣΣΕΥΣ ", "İİİ ", long.as_str()];
        let endings = TEASER_ENDINGS
            .iter()
            .copied()
            .chain([
                "READ MORE",
                "Continue Reading",
                "LIRE LA SUITE",
                "Weiterlesen",
            ])
            .chain(["more", "ΣΑΣ", "İ…", "reading.", "\u{2026}x", "read  more"]);
        for start in starts {
            for ending in endings.clone() {
                for trailing in ["", " \n\t", "\u{a0}"] {
                    let text = format!("{start}{ending}{trailing}");
                    assert_eq!(ends_like_teaser(&text), whole(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn paywalled_teaser_loses_to_longer_feed() {
        let feed = format!("<p>{}</p>", "word ".repeat(300));
        let page = article(&format!(
            "{} Subscribe to continue reading. {}",
            "lead ".repeat(40),
            "footer ".repeat(400)
        ));
        assert_eq!(choose_body(Some(&feed), &page), BodySource::Feed);
    }

    #[test]
    fn the_earliest_paywall_prompt_ends_the_counted_words() {
        // "subscribe now" comes late in the list but first in the text; case is ignored.
        let text = "one two three SUBSCRIBE NOW four five Subscribe to continue six";
        assert_eq!(words_before_paywall(text), 3);
        assert_eq!(words_before_paywall("Réservé aux abonnés: la suite"), 0);
        assert_eq!(words_before_paywall("a b c d"), 4);
    }

    #[test]
    fn full_page_beats_short_summary() {
        let cases = [
            (
                Some("<p>A short summary of the story…</p>"),
                "full ".repeat(400),
                BodySource::Page,
            ),
            (None, "full ".repeat(50), BodySource::Page),
            (Some("<p>summary</p>"), String::new(), BodySource::Feed),
            (
                Some(&*format!("<p>{}</p>", "w ".repeat(500))),
                "full ".repeat(510),
                BodySource::Feed,
            ),
        ];
        for (feed, page, want) in cases {
            assert_eq!(choose_body(feed, &article(&page)), want, "{feed:?}");
        }
    }

    #[test]
    fn excerpts_keep_whole_paragraphs() {
        let text = format!(
            "{}\n\n{}\n\n{}",
            "a ".repeat(30),
            "b ".repeat(25),
            "c ".repeat(30)
        );
        let ex = excerpt_text(&text, 60);
        assert_eq!(ex.split("\n\n").count(), 2);
        assert_eq!(
            excerpt_text(&"w ".repeat(200), 60)
                .split_whitespace()
                .count(),
            61
        );
        let html = format!(
            "<div><p>{}</p><p>{}</p><p>{}</p></div>",
            "a ".repeat(40),
            "b ".repeat(30),
            "c ".repeat(30)
        );
        let ex = excerpt_html(&html, 60);
        assert_eq!(ex.matches("<p>").count(), 2, "{ex}");
    }

    #[test]
    fn text_excerpts_match_the_rule_stated_on_all_paragraphs() {
        // The rule stated on all paragraphs at once.
        fn reference(text: &str, max_words: usize) -> String {
            let paragraphs: Vec<String> = text
                .split("\n\n")
                .map(collapse_whitespace)
                .filter(|p| !p.is_empty())
                .collect();
            let mut total = 0;
            let mut n = paragraphs.len();
            for (i, p) in paragraphs.iter().enumerate() {
                let w = words(p);
                if total >= max_words || total + w > max_words + max_words / 4 {
                    n = i;
                    break;
                }
                total += w;
            }
            match n {
                0 => paragraphs
                    .first()
                    .map(|p| cut_words(p, max_words))
                    .unwrap_or_default(),
                n => paragraphs[..n].join("\n\n"),
            }
        }
        let para = |w: &str, n: usize| format!("{w}  {}", format!("{w} ").repeat(n - 1));
        let texts = [
            String::new(),
            "\n\n \n\n".to_string(),
            para("x", 80),
            [para("a", 20), para("b", 40), para("c", 5)].join("\n\n"),
            [para("a", 60), para("b", 1)].join("\n\n\n\n"),
            [para("a", 10), para("b", 66), para("c", 3)].join("\n\n"),
            [para("a", 10), para("b", 65), para("c", 3)].join("\n\n"),
        ];
        for text in &texts {
            for max in [0, 1, 60] {
                assert_eq!(
                    excerpt_text(text, max),
                    reference(text, max),
                    "{max} {text:?}"
                );
            }
        }
    }
}
