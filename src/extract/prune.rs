//! Boilerplate removal: before scoring over the whole page (never-content tags, hidden and
//! unlikely blocks), and inside the chosen article (Readability's conditional cleaning).

use super::dom::Dom;
use super::hints::{class_weight, is_never_content, is_share_bar, is_unlikely};
use super::stats::Stats;

/// Share bars at least this long (characters) are kept: they are probably text.
const SHARE_BAR_MAX_TEXT: u32 = 500;

/// Elements named as captions or credits longer than this (characters) are kept as text.
const CAPTION_MAX_TEXT: u32 = 300;

/// Whether class or id names a picture caption or credit.
fn is_caption(dom: &Dom, i: usize) -> bool {
    let node = &dom.nodes[i];
    ["caption", "credit"]
        .iter()
        .any(|w| node.class.contains(w) || node.id.contains(w))
}

/// Which nodes to drop before scoring.
pub(crate) fn initial_removals(dom: &Dom, strip_unlikely: bool, preset: &[bool]) -> Vec<bool> {
    (0..dom.len())
        .map(|i| preset[i] || is_never_content(dom, i) || (strip_unlikely && is_unlikely(dom, i)))
        .collect()
}

/// Cleans the subtrees under `roots`, last node first so inner verdicts inform outer ones.
pub(crate) fn clean_article(dom: &Dom, stats: &mut Stats, roots: &[usize], conditional: bool) {
    for &root in roots {
        for i in (root + 1..dom.nodes[root].end).rev() {
            if stats.removed[i] || dom.element(i).is_none() {
                continue;
            }
            if should_remove(dom, stats, i, conditional) {
                stats.remove(dom, i);
            }
        }
    }
}

fn should_remove(dom: &Dom, stats: &Stats, i: usize, conditional: bool) -> bool {
    let tag = dom.tag(i);
    let c = &stats.counts[i];
    if is_share_bar(dom, i)
        && c.text < SHARE_BAR_MAX_TEXT
        && !matches!(tag, "p" | "body" | "article")
    {
        return true;
    }
    if is_caption(dom, i) && c.text < CAPTION_MAX_TEXT {
        return true;
    }
    match tag {
        "h1" | "h2" => class_weight(dom, i) < 0,
        "p" => c.text == 0 && c.images == 0 && c.embeds == 0,
        "form" | "fieldset" | "table" | "ul" | "div" | "section" | "header" if conditional => {
            is_boilerplate_block(dom, stats, i)
        }
        _ => false,
    }
}

/// Readability's `_cleanConditionally`: too many links, images, list items or too little text.
fn is_boilerplate_block(dom: &Dom, stats: &Stats, i: usize) -> bool {
    let tag = dom.tag(i);
    if dom.has_ancestor(i, "code") || dom.has_ancestor(i, "pre") {
        return false;
    }
    let c = &stats.counts[i];
    let weight = class_weight(dom, i);
    if weight < 0 {
        return true;
    }
    if c.commas >= 10 {
        return false;
    }
    let is_list =
        matches!(tag, "ul" | "ol") || (c.text > 0 && c.list_text as f32 / c.text as f32 > 0.9);
    let in_figure = dom.has_ancestor(i, "figure");
    let paras = c.paras as f32;
    let images = c.images as f32;
    let items = c.items as f32 - 100.0;
    let heading_density = if c.text == 0 {
        0.0
    } else {
        c.heading_text as f32 / c.text as f32
    };
    let link_density = c.link_density();
    (images > 1.0 && paras / images < 0.5 && !in_figure)
        || (!is_list && items > paras)
        || (!is_list
            && heading_density < 0.9
            && c.text < 25
            && (c.images == 0 || c.images > 2)
            && !in_figure)
        || (!is_list && weight < 25 && link_density > 0.2)
        || (weight >= 25 && link_density > 0.5)
        || (c.embeds == 1 && c.text < 75)
        || c.embeds > 1
}

/// Removes the first heading of the article when it only repeats the page title.
pub(crate) fn remove_title_heading(
    dom: &Dom,
    stats: &mut Stats,
    roots: &[usize],
    title: Option<&str>,
) {
    let Some(title) = title.map(normalize) else {
        return;
    };
    for &root in roots {
        for i in root..dom.nodes[root].end {
            if stats.removed[i] {
                continue;
            }
            if matches!(dom.tag(i), "h1" | "h2") {
                let text: String = (i..dom.nodes[i].end)
                    .filter_map(|j| match dom.nodes[j].kind {
                        super::dom::Kind::Text(t) => Some(t),
                        _ => None,
                    })
                    .collect();
                if normalize(&text) == title {
                    stats.remove(dom, i);
                }
                return;
            }
        }
    }
}

fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
