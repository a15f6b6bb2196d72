//! Precision at the article's edges (trafilatura-style): drops short blocks inside the chosen
//! article that are navigation, teasers, credits or datelines rather than article text.

use super::dom::{Dom, Kind};
use super::hints::is_block;
use super::stats::Stats;

/// Lower-cased openings of blocks that are boilerplate when short.
const BOILERPLATE_OPENINGS: &[&str] = &[
    "read more",
    "read also",
    "also read",
    "read next",
    "see more",
    "see also",
    "related",
    "more:",
    "don't miss",
    "don’t miss",
    "trending",
    "tags",
    "tagged",
    "topics:",
    "published:",
    "updated:",
    "last updated",
    "sign up",
    "subscribe",
    "follow us",
    "share this",
    "share on",
    "advertisement",
    "sponsored",
    "copyright",
    "©",
    "all rights reserved",
    "click here",
    "recommended",
    "more from",
    "most read",
    "most popular",
    "you may also like",
    "you might also like",
    "watch:",
    "listen:",
    "image:",
    "photo:",
    "credit:",
    "getty images",
    "newsletter",
    "comments",
    "updated at",
    "posted on",
    "posted by",
    "image credit",
    "leia também",
    "leia mais",
    "lesen sie auch",
    "mehr zum thema",
    "lire aussi",
    "à lire aussi",
];
/// Fragments of picture credits that mark a short block as a caption.
const CREDIT_MARKS: &[&str] = &[
    "(image:",
    "(photo:",
    "(picture:",
    "photo credit",
    "getty images",
    "(credit:",
    "image credit",
    "©",
    "all rights reserved",
    "this slideshow requires javascript",
];
/// Openings of tag and topic lists, boilerplate even when long.
const LIST_OPENINGS: &[&str] = &["tags", "tagged", "topics", "filed under", "categories"];
/// Blocks up to this many words can be judged boilerplate by their opening.
const SHORT_BLOCK_WORDS: usize = 25;
/// A block of at least this many words is article text: the lead.
const LEAD_WORDS: usize = 15;

/// Elements whose text forms one block: block-level with no block-level children.
fn leaf_blocks(dom: &Dom, stats: &Stats, root: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = root;
    while i < dom.nodes[root].end {
        if stats.removed[i] {
            i = dom.nodes[i].end;
            continue;
        }
        let tag = dom.tag(i);
        if is_block(tag)
            && !matches!(tag, "img" | "picture")
            && !dom.children(i).any(|c| is_block(dom.tag(c)))
        {
            out.push(i);
            i = dom.nodes[i].end;
        } else {
            i += 1;
        }
    }
    out
}

fn block_text(dom: &Dom, stats: &Stats, i: usize) -> String {
    let mut text = String::new();
    let mut j = i;
    while j < dom.nodes[i].end {
        if stats.removed[j] {
            j = dom.nodes[j].end;
            continue;
        }
        if let Kind::Text(t) = dom.nodes[j].kind {
            text.push_str(t);
            text.push(' ');
        }
        j += 1;
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_boilerplate(text: &str, words: usize, link_density: f32) -> bool {
    // Every test below needs a short block; most blocks of an article are long paragraphs,
    // so skip lowercasing them.
    if words > SHORT_BLOCK_WORDS * 4 {
        return false;
    }
    let lower = text.to_lowercase();
    (words <= SHORT_BLOCK_WORDS && BOILERPLATE_OPENINGS.iter().any(|o| lower.starts_with(o)))
        || (words <= SHORT_BLOCK_WORDS * 4 && LIST_OPENINGS.iter().any(|o| lower.starts_with(o)))
        || (words <= 5 && is_gallery_counter(&lower))
        || (words <= SHORT_BLOCK_WORDS * 2 && CREDIT_MARKS.iter().any(|m| lower.contains(m)))
        || (words <= SHORT_BLOCK_WORDS * 2 && link_density > 0.6)
}

/// "Image 2 of 5", "Photo 3 of 12": slideshow counters.
fn is_gallery_counter(lower: &str) -> bool {
    let w: Vec<&str> = lower.split_whitespace().collect();
    matches!(w.as_slice(), [kind, n, "of", m] if ["image", "photo", "picture", "slide"].contains(kind)
        && n.parse::<u32>().is_ok() && m.parse::<u32>().is_ok())
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .ends_with(['.', '!', '?', '"', '”', '»', '…', ':', '。'])
}

/// Leading stubs are dropped only when the lead starts within this many blocks.
const MAX_LEADING_STUBS: usize = 5;

/// Drops boilerplate blocks anywhere in `roots`, and short non-sentence blocks just before
/// the lead (datelines, bylines, kickers, repeated headlines).
pub(crate) fn drop_edge_boilerplate(dom: &Dom, stats: &mut Stats, roots: &[usize]) {
    let blocks: Vec<(usize, String)> = roots
        .iter()
        .flat_map(|&r| leaf_blocks(dom, stats, r))
        .map(|b| (b, block_text(dom, stats, b)))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let lead = blocks
        .iter()
        .position(|(_, t)| t.split_whitespace().count() >= LEAD_WORDS);
    for (n, (b, text)) in blocks.iter().enumerate() {
        let words = text.split_whitespace().count();
        let before_lead = lead.is_some_and(|l| n < l && l <= MAX_LEADING_STUBS);
        let heading = matches!(dom.tag(*b), "h1" | "h2" | "h3");
        let stub = before_lead && (heading || (words < 10 && !ends_sentence(text)));
        if stub || is_boilerplate(text, words, stats.counts[*b].link_density()) {
            stats.remove(dom, *b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boilerplate_blocks_are_recognised() {
        let cases = [
            ("READ MORE: China plague outbreak confirmed", 6, 0.0, true),
            ("Related articles", 2, 0.0, true),
            ("The plague wiped out half of Europe (Image: GETTY)", 9, 0.0, true),
            ("Click a link", 3, 1.0, true),
            ("Image 2 of 5", 4, 0.0, true),
            ("Tags stock car, stock car brasil, stock car cascavel, corrida milhão, interlagos, santa cruz do sul, calendario 2018, autoracing", 20, 0.0, true),
            ("Officials said the plague was contained, and no new cases were found.", 12, 0.0, false),
            ("Related: a long paragraph that happens to start with this word goes on and on and on with many words in it for sure, more than twenty five words in total here.", 31, 0.0, false),
        ];
        for (text, words, ld, want) in cases {
            assert_eq!(is_boilerplate(text, words, ld), want, "{text}");
        }
    }
}
