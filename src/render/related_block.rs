//! The HTML body every format publishes for a story: the article's own (already sanitized)
//! HTML, then an "Also reported by" line and a "Related articles" list built from
//! [`StoryLink`]s, with every piece of text escaped and every link checked to be http(s).

use crate::model::{Story, StoryLink};

use super::clean::{escape, is_web_url, strip_controls};

/// The story's HTML content followed by its "Also reported by" line and "Related articles"
/// block (each only when non-empty). Falls back to the summary when the story has no HTML.
pub fn content_with_links(story: &Story) -> String {
    let mut html = strip_controls(story.content_html.trim());
    if html.is_empty() {
        if let Some(summary) = story.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            html = format!("<p>{}</p>", escape(summary.trim()));
        }
    }
    if !story.also_reported_by.is_empty() {
        let outlets: Vec<String> = story
            .also_reported_by
            .iter()
            .map(|link| anchor(link, &link.source))
            .collect();
        html.push_str("\n<p><strong>Also reported by:</strong> ");
        html.push_str(&outlets.join(", "));
        html.push_str("</p>");
    }
    if !story.related.is_empty() {
        html.push_str("\n<h3>Related articles</h3>\n<ul>");
        for link in &story.related {
            let text = format!("{} \u{2014} {}", link.source, link.title);
            html.push_str("\n<li>");
            html.push_str(&anchor(link, &text));
            html.push_str("</li>");
        }
        html.push_str("\n</ul>");
    }
    html
}

/// `<a href="url" title="headline">text</a>`, or just the escaped text when the URL is not
/// a safe absolute http(s) link.
fn anchor(link: &StoryLink, text: &str) -> String {
    if is_web_url(&link.url) {
        format!(
            "<a href=\"{}\" title=\"{}\">{}</a>",
            escape(&link.url),
            escape(&link.title),
            escape(text)
        )
    } else {
        escape(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_stories::sample_stories;

    fn link(url: &str, source: &str, title: &str) -> StoryLink {
        StoryLink {
            url: url.into(),
            source: source.into(),
            title: title.into(),
        }
    }

    #[test]
    fn plain_story_is_its_own_content() {
        let mut story = sample_stories().remove(0);
        story.also_reported_by.clear();
        story.related.clear();
        assert_eq!(content_with_links(&story), story.content_html.trim());
    }

    #[test]
    fn appends_also_reported_and_related_in_order() {
        let mut story = sample_stories().remove(0);
        story.content_html = "<p>Body</p>".into();
        story.also_reported_by = vec![link("https://b.example/x", "bnews", "B's copy")];
        story.related = vec![
            link("https://c.example/1", "cnews", "First <related>"),
            link("https://d.example/2", "dnews", "Second & last"),
        ];
        let html = content_with_links(&story);
        let want = "<p>Body</p>\n\
            <p><strong>Also reported by:</strong> \
            <a href=\"https://b.example/x\" title=\"B&#39;s copy\">bnews</a></p>\n\
            <h3>Related articles</h3>\n<ul>\n\
            <li><a href=\"https://c.example/1\" title=\"First &lt;related&gt;\">cnews \u{2014} First &lt;related&gt;</a></li>\n\
            <li><a href=\"https://d.example/2\" title=\"Second &amp; last\">dnews \u{2014} Second &amp; last</a></li>\n\
            </ul>";
        assert_eq!(html, want);
    }

    #[test]
    fn unsafe_links_become_text_and_controls_vanish() {
        let mut story = sample_stories().remove(0);
        story.content_html = "<p>Bo\u{0}dy</p>".into();
        story.also_reported_by.clear();
        story.related = vec![link("javascript:alert(1)", "evil", "\"><script>x</script>")];
        let html = content_with_links(&story);
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.starts_with("<p>Body</p>"), "{html}");
    }

    #[test]
    fn falls_back_to_summary_when_no_html() {
        let mut story = sample_stories().remove(0);
        story.content_html = "  ".into();
        story.summary = Some("Short & sweet".into());
        story.also_reported_by.clear();
        story.related.clear();
        assert_eq!(content_with_links(&story), "<p>Short &amp; sweet</p>");
    }
}
