//! Per-feed site rules: CSS selectors that pick the article body (`content`) or delete
//! nodes before extraction (`remove`), compiled once and checked at config-validation time.

use scraper::node::Element;
use scraper::{ElementRef, Html, Selector};

use super::SiteRules;

/// A site-rule selector that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("invalid CSS selector {selector:?} in site rules: {reason}; fix or remove it in the feed's content/remove list")]
pub struct InvalidSelector {
    /// The selector as written.
    pub selector: String,
    /// What the CSS parser objected to.
    pub reason: String,
}

/// Checks one site-rule selector; the error says what is wrong with it.
pub fn validate_selector(selector: &str) -> Result<(), String> {
    compile(selector).map(drop).map_err(|e| e.to_string())
}

fn compile(selector: &str) -> Result<Rule, InvalidSelector> {
    let compiled = Selector::parse(selector).map_err(|e| InvalidSelector {
        selector: selector.to_string(),
        reason: e.to_string(),
    })?;
    Ok(Rule {
        class: simple_class(selector).map(str::to_owned),
        selector: compiled,
    })
}

/// One compiled selector. Most site rules name one class (`.entry-content`); those are
/// matched by reading class attributes in one walk over the page for all of them, instead of
/// a walk per selector through the general matcher (which built a matching context and
/// interned every class name per element: 3 % of a bulk ingest's instructions).
#[derive(Debug, Clone)]
struct Rule {
    selector: Selector,
    /// The class, when the selector is exactly one class selector.
    class: Option<String>,
}

/// The class name of a selector that is one class selector and nothing else (`.name`, the
/// name an identifier without escapes), as scraper matches it: case-sensitively (scraper
/// matches in no-quirks mode), against any whitespace-separated token of `class`.
fn simple_class(selector: &str) -> Option<&str> {
    let name = selector.strip_prefix('.')?;
    let first = name.chars().next()?;
    let ident_start = |c: char| c.is_ascii_alphabetic() || c == '_';
    let starts_ok = ident_start(first)
        || (first == '-' && name[1..].starts_with(|c: char| ident_start(c) || c == '-'));
    let rest_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (starts_ok && rest_ok).then_some(name)
}

/// The elements each rule matches, in document order (the order of `Html::select`: the
/// arena's, attached elements only), one list per rule.
fn matches(rules: &[Rule], html: &Html) -> Vec<Vec<*const Element>> {
    let mut out: Vec<Vec<*const Element>> = vec![Vec::new(); rules.len()];
    // The walk marks rules in a 64-bit set: a longer list goes through scraper for all.
    let walk = rules.len() <= 64;
    if walk && rules.iter().any(|r| r.class.is_some()) {
        for node in html.tree.nodes() {
            let Some(element) = ElementRef::wrap(node) else {
                continue;
            };
            if element.parent().is_none() {
                continue;
            }
            let e = element.value();
            // Each token once against every rule; an element is listed once per rule.
            let mut matched = 0u64;
            let tokens = e
                .attrs()
                .filter(|(name, _)| *name == "class")
                .flat_map(|(_, value)| value.split_ascii_whitespace());
            for token in tokens {
                for (i, rule) in rules.iter().enumerate() {
                    if rule.class.as_deref() == Some(token) {
                        matched |= 1 << i;
                    }
                }
            }
            for (i, found) in out.iter_mut().enumerate() {
                if matched & (1 << i) != 0 {
                    found.push(e as *const _);
                }
            }
        }
    }
    for (rule, found) in rules.iter().zip(out.iter_mut()) {
        if rule.class.is_none() || !walk {
            found.extend(html.select(&rule.selector).map(|e| e.value() as *const _));
        }
    }
    out
}

/// Site rules with their selectors compiled.
#[derive(Debug, Clone, Default)]
pub struct CompiledRules {
    /// The `remove` rules, then the `content` rules: one walk over a page matches both.
    /// Removal selectors are matched one by one: joined into one selector list, a selector
    /// that is valid alone can swallow the ones after it (an unclosed comment or string runs
    /// to the end of the list).
    rules: Vec<Rule>,
    /// How many of `rules` are `remove` rules.
    removes: usize,
}

impl CompiledRules {
    /// Compiles `rules`, failing on the first invalid selector.
    pub fn new(rules: &SiteRules) -> Result<Self, InvalidSelector> {
        let compiled = rules
            .remove
            .iter()
            .chain(&rules.content)
            .map(|s| compile(s))
            .collect::<Result<_, _>>()?;
        Ok(CompiledRules {
            rules: compiled,
            removes: rules.remove.len(),
        })
    }

    /// Compiles `rules`, skipping invalid selectors (they were reported at validation).
    pub fn lenient(rules: &SiteRules) -> Self {
        let remove: Vec<Rule> = rules
            .remove
            .iter()
            .filter_map(|s| compile(s).ok())
            .collect();
        let removes = remove.len();
        let content = rules.content.iter().filter_map(|s| compile(s).ok());
        CompiledRules {
            rules: remove.into_iter().chain(content).collect(),
            removes,
        }
    }

    /// Whether there are no rules at all.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Elements to delete, as pointers into `html` (matched against the arena by address).
    #[cfg(test)]
    pub(crate) fn removed(&self, html: &Html) -> Vec<*const Element> {
        matches(&self.rules[..self.removes], html).concat()
    }

    /// Elements picked as the article body, in selector order then document order.
    #[cfg(test)]
    pub(crate) fn content(&self, html: &Html) -> Vec<*const Element> {
        matches(&self.rules[self.removes..], html).concat()
    }

    /// [`CompiledRules::removed`] and [`CompiledRules::content`] from one walk over `html`.
    pub(crate) fn removed_and_content(
        &self,
        html: &Html,
    ) -> (Vec<*const Element>, Vec<*const Element>) {
        let mut found = matches(&self.rules, html);
        let content = found.split_off(self.removes).concat();
        (found.concat(), content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_walk_finds_what_the_removal_and_content_walks_find() {
        let html = Html::parse_document(
            r#"<body><div class="share post"><p class="post">x</p></div><aside id="b">
            <p class="share">y</p></aside><article class="post"><p>z</p></article></body>"#,
        );
        let rules = CompiledRules::lenient(&SiteRules {
            content: vec![".post".into(), "article".into(), "div[".into()],
            remove: vec![".share".into(), "aside > p".into()],
        });
        let (removed, content) = rules.removed_and_content(&html);
        assert_eq!(removed, rules.removed(&html));
        assert_eq!(content, rules.content(&html));
        assert_eq!((removed.len(), content.len()), (3, 4));
    }

    #[test]
    fn selectors_are_validated() {
        for ok in [
            "div.article-body",
            "#main > p",
            "article, .story",
            "[data-role=content]",
        ] {
            assert_eq!(validate_selector(ok), Ok(()), "{ok}");
        }
        for bad in ["div[", "..x", "p >", ""] {
            let err = validate_selector(bad).unwrap_err();
            assert!(err.contains("invalid CSS selector"), "{err}");
        }
    }

    #[test]
    fn one_class_selectors_match_as_the_general_matcher_does() {
        for (selector, simple) in [
            (".share", true),
            (".Share", true),
            (".a-b", true),
            ("._x", true),
            (".--y", true),
            (".-z", true),
            ("div.share", false),
            (".a.b", false),
            (".a b", false),
            ("#share", false),
            (".a, .b", false),
            (".\\31 x", false),
            (".é", false),
        ] {
            assert_eq!(simple_class(selector).is_some(), simple, "{selector}");
        }
        let html = Html::parse_document(
            "<body class=share><div class='x share\ty'><p class=SHARE>a</p><p class='a-b'>b\
             </p></div><table><p class=share>fostered</p><tr><td class='_x --y'>c</td></tr>\
             </table><span class='-z share-more'>d</span><svg><g class=share></g></svg>\
             <p class=Share>e</p><p class='.share'>f</p></body>",
        );
        let selectors = [
            ".share", ".Share", ".a-b", "._x", ".--y", ".-z", "p", ".a.b",
        ];
        let rules: Vec<Rule> = selectors.iter().map(|s| compile(s).unwrap()).collect();
        let fast = matches(&rules, &html);
        for ((selector, rule), got) in selectors.iter().zip(&rules).zip(&fast) {
            let general: Vec<*const Element> = html
                .select(&rule.selector)
                .map(|e| e.value() as *const _)
                .collect();
            assert_eq!(*got, general, "{selector}");
        }
        assert_eq!(fast[0].len(), 4, "body, div, the fostered p and the svg g");
        // More rules than the walk's set holds: all through scraper, same answers.
        let many: Vec<Rule> = (0..65).map(|_| compile(".share").unwrap()).collect();
        assert!(matches(&many, &html).iter().all(|found| *found == fast[0]));
    }

    #[test]
    fn every_remove_selector_counts_even_after_an_unclosed_comment() {
        let html = Html::parse_document(
            r#"<body><div class="share"><p id="a">x</p></div><aside id="b"><p class="share">y</p>
            </aside><p id="c">z</p><nav><ul><li>m</li></ul></nav></body>"#,
        );
        // The unclosed comment is valid alone; joined into a list it would hide "#c".
        let selectors = [".share", "aside", "nav > ul /* menu", "#c", "article"];
        let one_by_one: std::collections::HashSet<_> = selectors
            .iter()
            .flat_map(|s| {
                html.select(&compile(s).unwrap().selector)
                    .collect::<Vec<_>>()
            })
            .map(|e| e.value() as *const _)
            .collect();
        let rules = |remove: Vec<String>| SiteRules {
            content: Vec::new(),
            remove,
        };
        let all: Vec<String> = selectors.iter().map(|s| s.to_string()).collect();
        let removed = CompiledRules::new(&rules(all.clone()))
            .unwrap()
            .removed(&html);
        assert_eq!(removed.len(), one_by_one.len());
        assert_eq!(
            removed
                .iter()
                .copied()
                .collect::<std::collections::HashSet<_>>(),
            one_by_one
        );
        // Lenient skips an invalid selector and keeps the others; strict refuses the set.
        let mut with_bad = all;
        with_bad.insert(1, "div[".to_string());
        assert_eq!(
            CompiledRules::lenient(&rules(with_bad.clone())).removed(&html),
            removed
        );
        assert!(CompiledRules::new(&rules(with_bad)).is_err());
        assert!(CompiledRules::lenient(&rules(vec!["p >".into()])).is_empty());
    }
}
