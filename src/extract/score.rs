//! Main-content detection: scores paragraphs into their ancestors (Readability's scheme),
//! picks the best container and the siblings that belong with it.

use rustc_hash::FxHashMap as HashMap;

use super::dom::{Dom, Kind};
use super::hints::{class_weight, is_block};
use super::stats::Stats;

/// Paragraph-like units shorter than this (characters) add nothing.
const MIN_UNIT_LEN: u32 = 25;
/// How many ancestors a paragraph's score reaches.
const ANCESTOR_LEVELS: usize = 5;

fn base_score(dom: &Dom, i: usize, weight_classes: bool) -> f32 {
    let tag_score = match dom.tag(i) {
        "div" | "article" | "main" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    let weight = if weight_classes {
        class_weight(dom, i) as f32
    } else {
        0.0
    };
    tag_score + weight
}

fn unit_score(stats: &Stats, i: usize, text: u32) -> f32 {
    1.0 + stats.counts[i].commas as f32 + (text / 100).min(3) as f32
}

/// Where a paragraph's score starts: its parent, or the node itself for loose inline text.
fn units(dom: &Dom, stats: &Stats, gone: &[bool]) -> Vec<(usize, usize, u32)> {
    let mut out = Vec::new();
    for i in 0..dom.len() {
        if gone[i] {
            continue;
        }
        let tag = dom.tag(i);
        match tag {
            "p" | "pre" | "td" => {
                if let Some(p) = dom.parent(i) {
                    out.push((i, p, stats.counts[i].text));
                }
            }
            "div" | "section" | "article" | "main" => {
                let has_block = !no_block_child(dom, i);
                if has_block {
                    let inline: u32 = dom
                        .children(i)
                        .filter(|&c| !gone[c] && !is_block(dom.tag(c)))
                        .map(|c| stats.counts[c].text)
                        .sum();
                    out.push((i, i, inline));
                } else if let Some(p) = dom.parent(i) {
                    out.push((i, p, stats.counts[i].text));
                }
            }
            _ => {}
        }
    }
    out
}

fn no_block_child(dom: &Dom, i: usize) -> bool {
    !dom.children(i).any(|c| is_block(dom.tag(c)))
}

/// Marks every node that is removed itself or through an ancestor.
pub(crate) fn gone_flags(dom: &Dom, stats: &Stats) -> Vec<bool> {
    let mut gone = stats.removed.clone();
    for i in 0..dom.len() {
        if let Some(p) = dom.parent(i) {
            gone[i] |= gone[p];
        }
    }
    gone
}

/// Scores candidates; returns each scored node's link-density-adjusted score.
pub(crate) fn score_candidates(
    dom: &Dom,
    stats: &Stats,
    weight_classes: bool,
) -> HashMap<usize, f32> {
    let gone = gone_flags(dom, stats);
    let mut scores: HashMap<usize, f32> = HashMap::default();
    for (unit, start, text) in units(dom, stats, &gone) {
        if text < MIN_UNIT_LEN {
            continue;
        }
        let score = unit_score(stats, unit, text);
        let mut at = Some(start);
        for level in 0..ANCESTOR_LEVELS {
            let Some(a) = at else { break };
            if !matches!(dom.nodes[a].kind, Kind::Element(_)) || dom.parent(a).is_none() {
                break;
            }
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            *scores
                .entry(a)
                .or_insert_with(|| base_score(dom, a, weight_classes)) += score / divider;
            at = dom.parent(a);
        }
    }
    for (i, s) in scores.iter_mut() {
        *s *= 1.0 - stats.counts[*i].link_density();
    }
    scores
}

/// Picks the article's top container and the siblings that belong with it, in document order.
pub(crate) fn select_roots(dom: &Dom, stats: &Stats, weight_classes: bool) -> Vec<usize> {
    let scores = score_candidates(dom, stats, weight_classes);
    let body = dom.find_tag("body").unwrap_or(0);
    let mut ranked: Vec<(usize, f32)> = scores.iter().map(|(&i, &s)| (i, s)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let Some(&(first, first_score)) = ranked.first() else {
        return vec![body];
    };
    if matches!(dom.tag(first), "body" | "html") {
        return vec![first];
    }
    let mut top = promote_shared_ancestor(dom, &ranked, first, body);
    top = climb_scores(dom, &scores, top, body);
    while let Some(p) = dom.parent(top) {
        let elems = dom
            .children(p)
            .filter(|&c| dom.element(c).is_some() && !stats.removed[c])
            .count();
        if p == body || elems != 1 {
            break;
        }
        top = p;
    }
    let top_score = scores.get(&top).copied().unwrap_or(first_score);
    match dom.parent(top) {
        Some(parent) if top != body => siblings(dom, stats, &scores, parent, top, top_score),
        _ => vec![top],
    }
}

/// Readability: when several near-top candidates share an ancestor, that ancestor is the article.
fn promote_shared_ancestor(dom: &Dom, ranked: &[(usize, f32)], top: usize, body: usize) -> usize {
    let top_score = ranked[0].1;
    let alternatives: Vec<usize> = ranked[1..ranked.len().min(5)]
        .iter()
        .filter(|(_, s)| top_score > 0.0 && s / top_score >= 0.75)
        .map(|&(i, _)| i)
        .collect();
    if alternatives.len() < 3 {
        return top;
    }
    for a in dom.ancestors(top) {
        if a == body || dom.tag(a) == "html" {
            break;
        }
        let inside = alternatives
            .iter()
            .filter(|&&alt| a <= alt && alt < dom.nodes[a].end)
            .count();
        if inside >= 3 {
            return a;
        }
    }
    top
}

/// Readability: move up while the parent scores at least as well as the node.
fn climb_scores(dom: &Dom, scores: &HashMap<usize, f32>, mut top: usize, body: usize) -> usize {
    let mut last = scores.get(&top).copied().unwrap_or(0.0);
    let threshold = last / 3.0;
    let mut parent = dom.parent(top);
    while let Some(p) = parent {
        if p == body || dom.tag(p) == "html" {
            break;
        }
        if let Some(&s) = scores.get(&p) {
            if s < threshold {
                break;
            }
            if s > last {
                top = p;
                break;
            }
            last = s;
        }
        parent = dom.parent(p);
    }
    top
}

fn siblings(
    dom: &Dom,
    stats: &Stats,
    scores: &HashMap<usize, f32>,
    parent: usize,
    top: usize,
    top_score: f32,
) -> Vec<usize> {
    let threshold = (top_score * 0.2).max(10.0);
    let top_class = &dom.nodes[top].class;
    dom.children(parent)
        .filter(|&s| !stats.removed[s] && dom.element(s).is_some())
        .filter(|&s| {
            if s == top {
                return true;
            }
            let bonus = if !top_class.is_empty() && dom.nodes[s].class == *top_class {
                top_score * 0.2
            } else {
                0.0
            };
            if scores.get(&s).is_some_and(|&sc| sc + bonus >= threshold) {
                return true;
            }
            let c = &stats.counts[s];
            dom.tag(s) == "p"
                && ((c.text > 80 && c.link_density() < 0.25)
                    || (c.text > 0 && c.text <= 80 && c.links == 0 && ends_sentence(dom, s)))
        })
        .collect()
}

fn ends_sentence(dom: &Dom, i: usize) -> bool {
    (i..dom.nodes[i].end).any(|j| match dom.nodes[j].kind {
        Kind::Text(t) => t.contains(". ") || t.trim_end().ends_with('.'),
        _ => false,
    })
}
