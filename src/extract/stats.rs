//! Per-subtree text statistics (text length, link text, commas, paragraph/image/list counts)
//! over the arena, kept up to date as nodes are removed.

use super::dom::{Dom, Kind};

/// Counts for one subtree, removed nodes excluded.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Counts {
    /// Visible characters, whitespace runs counted once.
    pub text: u32,
    /// Characters inside links.
    pub links: u32,
    /// Commas (Latin, Arabic, CJK).
    pub commas: u32,
    /// `<p>` elements.
    pub paras: u32,
    /// `<img>` elements.
    pub images: u32,
    /// `<li>` elements.
    pub items: u32,
    /// Embedded players (`object`, `embed`, `iframe`).
    pub embeds: u32,
    /// Characters inside headings.
    pub heading_text: u32,
    /// Characters inside lists.
    pub list_text: u32,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.text += o.text;
        self.links += o.links;
        self.commas += o.commas;
        self.paras += o.paras;
        self.images += o.images;
        self.items += o.items;
        self.embeds += o.embeds;
        self.heading_text += o.heading_text;
        self.list_text += o.list_text;
    }

    fn sub(&mut self, o: &Counts) {
        self.text = self.text.saturating_sub(o.text);
        self.links = self.links.saturating_sub(o.links);
        self.commas = self.commas.saturating_sub(o.commas);
        self.paras = self.paras.saturating_sub(o.paras);
        self.images = self.images.saturating_sub(o.images);
        self.items = self.items.saturating_sub(o.items);
        self.embeds = self.embeds.saturating_sub(o.embeds);
        self.heading_text = self.heading_text.saturating_sub(o.heading_text);
        self.list_text = self.list_text.saturating_sub(o.list_text);
    }

    /// Share of the text that sits inside links.
    pub fn link_density(&self) -> f32 {
        if self.text == 0 {
            0.0
        } else {
            self.links as f32 / self.text as f32
        }
    }
}

/// Counts of every subtree plus which nodes are removed.
pub(crate) struct Stats {
    /// Subtree counts by node index.
    pub counts: Vec<Counts>,
    /// Nodes removed themselves (their descendants are removed implicitly).
    pub removed: Vec<bool>,
}

/// Visible length of a text (non-space characters plus one per inner whitespace run) and
/// its commas (Latin, Arabic and CJK), in one pass over its characters: every text node of a
/// page is counted.
fn text_counts(text: &str) -> (u32, u32) {
    let (mut shown, mut words, mut commas) = (0u32, 0u32, 0u32);
    let mut in_word = false;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // An ASCII byte is a whole character (and the ASCII whitespace is 09-0D and space);
        // only the others are decoded.
        let (space, comma, len) = match bytes[at] {
            b if b.is_ascii() => (matches!(b, b'\t'..=b'\r' | b' '), b == b',', 1),
            _ => {
                let ch = text[at..].chars().next().expect("at a character boundary");
                let comma = matches!(ch, '،' | '，' | '、');
                (ch.is_whitespace(), comma, ch.len_utf8())
            }
        };
        at += len;
        if space {
            in_word = false;
            continue;
        }
        words += u32::from(!in_word);
        in_word = true;
        shown += 1;
        commas += u32::from(comma);
    }
    // One per inner whitespace run: words - 1.
    ((shown + words).saturating_sub(1), commas)
}

/// The visible length [`text_counts`] computes, by its definition (the tests' reference).
#[cfg(test)]
fn visible_len(text: &str) -> u32 {
    text.split_whitespace()
        .map(|w| w.chars().count() as u32 + 1)
        .sum::<u32>()
        .saturating_sub(1)
}

impl Stats {
    /// Computes counts bottom-up with `removed` nodes left out.
    pub fn compute(dom: &Dom, removed: Vec<bool>) -> Self {
        let mut counts = vec![Counts::default(); dom.len()];
        for i in (0..dom.len()).rev() {
            let mut c = counts[i];
            match dom.nodes[i].kind {
                Kind::Text(t) if !dom.parent(i).is_some_and(|p| removed[p]) => {
                    (c.text, c.commas) = text_counts(t);
                }
                Kind::Element(e) => match e.name() {
                    "a" => c.links = c.text,
                    "p" => c.paras += 1,
                    "img" => c.images += 1,
                    "li" => c.items += 1,
                    "object" | "embed" | "iframe" => c.embeds += 1,
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => c.heading_text = c.text,
                    "ul" | "ol" => c.list_text = c.text,
                    _ => {}
                },
                Kind::Text(_) | Kind::Other => {}
            }
            counts[i] = c;
            if let (false, Some(p)) = (removed[i], dom.parent(i)) {
                counts[p].add(&c);
            }
        }
        Stats { counts, removed }
    }

    /// Removes `i`, taking its counts out of its ancestors.
    pub fn remove(&mut self, dom: &Dom, i: usize) {
        if self.removed[i] {
            return;
        }
        self.removed[i] = true;
        let c = self.counts[i];
        for a in dom.ancestors(i) {
            self.counts[a].sub(&c);
            if self.removed[a] {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn one_pass_counts_agree_with_visible_len_and_commas() {
        for text in [
            "",
            "   ",
            "one",
            " one, two ",
            "a\u{a0}b\u{3000}c\t\n d",
            "قال، الرئيس",
            "中文，句子、结束",
            ",,, ,",
            "  lead and trail  \r\n",
            "\u{b}vt\u{c}ff\u{85}nel\u{2028}ls\u{1f}us\u{7f}",
            "é,è , ,é",
        ] {
            let commas = text
                .chars()
                .filter(|ch| matches!(ch, ',' | '،' | '，' | '、'))
                .count() as u32;
            assert_eq!(text_counts(text), (visible_len(text), commas), "{text:?}");
        }
    }

    #[test]
    fn removal_updates_ancestors() {
        let html = Html::parse_document("<div><p>one, two</p><p><a>link</a></p></div>");
        let dom = Dom::build(&html);
        let mut stats = Stats::compute(&dom, vec![false; dom.len()]);
        let div = dom.find_tag("div").unwrap();
        assert_eq!(stats.counts[div].text, 12);
        assert_eq!(stats.counts[div].links, 4);
        assert_eq!(stats.counts[div].commas, 1);
        let a = dom.find_tag("a").unwrap();
        stats.remove(&dom, a);
        assert_eq!(stats.counts[div].links, 0);
        assert!(stats.removed[a]);
    }
}
