//! Per-feed site rules: CSS selectors that pick the article body (`content`) or delete
//! nodes before extraction (`remove`), compiled once and checked at config-validation time.

use scraper::{Html, Selector};

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

fn compile(selector: &str) -> Result<Selector, InvalidSelector> {
    Selector::parse(selector).map_err(|e| InvalidSelector {
        selector: selector.to_string(),
        reason: e.to_string(),
    })
}

/// Site rules with their selectors compiled.
#[derive(Debug, Clone, Default)]
pub struct CompiledRules {
    content: Vec<Selector>,
    /// Matched one by one: joined into one selector list, a selector that is valid alone can
    /// swallow the ones after it (an unclosed comment or string runs to the end of the list).
    remove: Vec<Selector>,
}

impl CompiledRules {
    /// Compiles `rules`, failing on the first invalid selector.
    pub fn new(rules: &SiteRules) -> Result<Self, InvalidSelector> {
        Ok(CompiledRules {
            content: rules
                .content
                .iter()
                .map(|s| compile(s))
                .collect::<Result<_, _>>()?,
            remove: rules
                .remove
                .iter()
                .map(|s| compile(s))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Compiles `rules`, skipping invalid selectors (they were reported at validation).
    pub fn lenient(rules: &SiteRules) -> Self {
        CompiledRules {
            content: rules
                .content
                .iter()
                .filter_map(|s| compile(s).ok())
                .collect(),
            remove: rules
                .remove
                .iter()
                .filter_map(|s| compile(s).ok())
                .collect(),
        }
    }

    /// Whether there are no rules at all.
    pub fn is_empty(&self) -> bool {
        self.content.is_empty() && self.remove.is_empty()
    }

    /// Elements to delete, as pointers into `html` (matched against the arena by address).
    pub(crate) fn removed(&self, html: &Html) -> Vec<*const scraper::node::Element> {
        self.remove
            .iter()
            .flat_map(|s| html.select(s))
            .map(|e| e.value() as *const _)
            .collect()
    }

    /// Elements picked as the article body, in selector order then document order.
    pub(crate) fn content(&self, html: &Html) -> Vec<*const scraper::node::Element> {
        self.content
            .iter()
            .flat_map(|s| html.select(s))
            .map(|e| e.value() as *const _)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn every_remove_selector_counts_even_after_an_unclosed_comment() {
        let html = Html::parse_document(
            r#"<body><div class="share"><p id="a">x</p></div><aside id="b"><p class="share">y</p>
            </aside><p id="c">z</p><nav><ul><li>m</li></ul></nav></body>"#,
        );
        // The unclosed comment is valid alone; joined into a list it would hide "#c".
        let selectors = [".share", "aside", "nav > ul /* menu", "#c", "article"];
        let one_by_one: std::collections::HashSet<_> = selectors
            .iter()
            .flat_map(|s| html.select(&compile(s).unwrap()).collect::<Vec<_>>())
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
