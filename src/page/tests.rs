use super::*;

fn story(id: i64, title: &str, lang: &str) -> Story {
    let at = DateTime::parse_from_rfc3339("2026-11-27T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    Story {
        id,
        url: format!("https://outlet.example/{id}"),
        title: title.into(),
        source: "cedarnews".into(),
        source_title: "Cedar News".into(),
        author: Some("R. K.".into()),
        categories: vec![],
        published: at,
        updated: at,
        content_html: "<p>Safe <b>body</b></p>".into(),
        content_text: "Safe body".into(),
        summary: Some("An extract <script>".into()),
        image: Some("https://outlet.example/i.jpg".into()),
        enclosures: vec![],
        lang: Some(lang.into()),
        also_reported_by: vec![StoryLink {
            url: "https://b.example/1".into(),
            source: "almanar".into(),
            title: "Copy".into(),
        }],
        related: vec![StoryLink {
            url: "https://c.example/2".into(),
            source: "lorienttoday".into(),
            title: "Other \"view\"".into(),
        }],
    }
}

fn outlets(name: &str) -> String {
    match name {
        "almanar" => "Al Manar English".into(),
        other => other.to_uppercase(),
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn index_lists_stories_with_links_escaped() {
    let html = index_page(
        "Mix <1>",
        &["Cedar News".into()],
        &[story(1, "A & B", "en"), story(2, "عنوان", "ar")],
        now(),
        &outlets,
    );
    assert!(html.contains("<main id=\"main\""), "landmark missing");
    assert!(html.contains("Mix &lt;1&gt;"));
    assert!(html.contains("A &amp; B"));
    assert!(html.contains("An extract &lt;script&gt;"));
    assert!(html.contains("9 hours ago"));
    assert!(html.contains("Also reported by") && html.contains("Al Manar English"));
    assert!(
        html.contains("Related articles") && html.contains("Other &#34;view&#34;")
            || html.contains("Other &quot;view&quot;"),
        "{html}"
    );
    assert!(html.contains("lang=\"ar\" dir=\"rtl\""));
    assert!(html.contains("href=\"/story/2\""));
}

#[test]
fn story_page_has_body_image_alt_and_source_link() {
    let html = story_page("Mix", &[], &story(7, "Port audit", "en"), now(), &outlets);
    assert!(
        html.contains("<p>Safe <b>body</b></p>"),
        "sanitized body is inserted as HTML"
    );
    assert!(html.contains("alt=\"Port audit\""));
    assert!(html.contains("Read the original article on Cedar News"));
    assert!(html.contains("<title>Port audit · Mix</title>"));
}

#[test]
fn relative_times() {
    let cases = [
        (30, "just now"),
        (120, "2 minutes ago"),
        (3600, "1 hour ago"),
        (9 * 3600, "9 hours ago"),
        (86_400 * 3, "3 days ago"),
    ];
    for (secs, want) in cases {
        assert_eq!(
            relative_time(now() - chrono::Duration::seconds(secs), now()),
            want
        );
    }
}

#[test]
fn escapes_markup() {
    assert_eq!(
        escape("<a href=\"x\">&'"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    );
}
