//! The sanitizer through the real pipeline: feedparser's sanitize cases and well-known XSS
//! vectors are ingested by the binary and exported in all three formats; nothing dangerous
//! survives in the decoded HTML of any item.

use std::path::Path;

use axum::Router;

use super::{corpus_files, CORPUS};
use crate::support::{count, text, World};

/// What must never survive in republished HTML, checked on the decoded HTML of each item.
fn dangers(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found: Vec<String> = ["<script", "<iframe", "<object", "<embed", "<style"]
        .iter()
        .filter(|t| lower.contains(*t))
        .map(|t| t.to_string())
        .collect();
    let fragment = scraper::Html::parse_fragment(html);
    for node in fragment.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        if ["script", "iframe", "object", "embed", "style"].contains(&el.name()) {
            found.push(format!("element {}", el.name()));
        }
        for (name, value) in el.attrs() {
            let squashed: String = value
                .to_ascii_lowercase()
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            if name.to_ascii_lowercase().starts_with("on") {
                found.push(format!("attribute {name}"));
            }
            for bad in ["javascript:", "vbscript:", "data:text/html", "expression("] {
                if squashed.contains(bad) {
                    found.push(format!("{name}={value}"));
                }
            }
        }
    }
    found
}

/// The HTML-bearing texts of an RSS or Atom export, entity-decoded.
fn xml_html_fields(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut out, mut current, mut inside) = (Vec::new(), String::new(), false);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
                inside = matches!(
                    name.as_str(),
                    "description" | "encoded" | "content" | "summary"
                );
                current.clear();
            }
            Ok(Event::Text(t)) if inside => {
                current.push_str(&t.decode().unwrap_or_default());
            }
            Ok(Event::GeneralRef(r)) if inside => {
                let name = String::from_utf8_lossy(&r);
                current.push_str(match name.as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    current.push(c);
                }
            }
            Ok(Event::CData(c)) if inside => current.push_str(&String::from_utf8_lossy(&c)),
            Ok(Event::End(_)) => {
                if inside {
                    out.push(std::mem::take(&mut current));
                }
                inside = false;
            }
            Ok(Event::Eof) => break,
            Err(e) => panic!("export is not well-formed XML: {e}"),
            _ => {}
        }
    }
    out
}

fn json_html_fields(json: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(json).expect("JSON export parses");
    let mut out = Vec::new();
    for item in doc["items"].as_array().into_iter().flatten() {
        for key in ["content_html", "summary"] {
            if let Some(html) = item[key].as_str() {
                out.push(html.to_string());
            }
        }
    }
    out
}

/// Exports every story in all three formats and returns what survives that should not.
async fn exported_dangers(world: &World) -> (usize, Vec<String>) {
    let mut found = Vec::new();
    let mut fields = 0;
    for format in ["rss", "atom", "json"] {
        let out = world
            .feedmix(&["export", "--format", format, "--limit", "0"])
            .await;
        assert!(out.status.success(), "{}", text(&out));
        let body = String::from_utf8(out.stdout).unwrap();
        let htmls = if format == "json" {
            json_html_fields(&body)
        } else {
            xml_html_fields(&body)
        };
        fields += htmls.len();
        for html in htmls {
            for d in dangers(&html) {
                found.push(format!("{format}: {d} in {html:.200}"));
            }
        }
    }
    (fields, found)
}

const HEADER: &str = "[publish]\nbase_url = \"http://feeds.example.org/\"\n[fetch]\nallow_private_networks = true\nper_host_delay_ms = 0\nper_host_concurrency = 8\nmax_concurrency = 16\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedparser_sanitize_cases_leave_nothing_dangerous_in_exports() {
    let dir = Path::new(CORPUS).join("feedparser/tests/wellformed/sanitize");
    let world = World::start(Router::new(), "").await;
    let mut feeds = String::new();
    let files = corpus_files(&dir);
    for (i, path) in files.iter().enumerate() {
        world
            .server
            .set_file(&format!("sanitize/{i}.xml"), std::fs::read(path).unwrap());
        feeds.push_str(&format!(
            "[[feeds]]\nname = \"s{i}\"\nurl = \"{{{{BASE}}}}/sanitize/{i}.xml\"\nfetch_articles = false\n"
        ));
    }
    world.write_config(HEADER, &feeds);
    let out = world.feedmix(&["ingest", "--all"]).await;
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    let stored = count(&world.db(), "SELECT COUNT(*) FROM articles");
    assert!(
        stored > 480,
        "only {stored} sanitize cases stored: {}",
        text(&out)
    );
    let conn = rusqlite::Connection::open(world.db()).unwrap();
    let mut stmt = conn
        .prepare("SELECT content_html, COALESCE(summary, '') FROM articles")
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut found: Vec<String> = rows
        .iter()
        .flat_map(|(c, s)| dangers(c).into_iter().chain(dangers(s)))
        .map(|d| format!("stored: {d}"))
        .collect();
    let (fields, exported) = exported_dangers(&world).await;
    found.extend(exported);
    eprintln!(
        "sanitize: {} cases, {stored} articles, {fields} exported HTML fields",
        files.len()
    );
    assert!(found.is_empty(), "dangerous markup survived: {found:#?}");
}

/// Well-known XSS vectors (OWASP cheat sheet style), one per paragraph of an article page.
const XSS_VECTORS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"  JaVaScRiPt:alert(1)\">click</a>",
    "<a href=\"vbscript:msgbox(1)\">click</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">click</a>",
    "<svg onload=alert(1)><circle r=1></svg>",
    "<body onload=alert(1)>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<object data=\"https://evil.example/x.swf\"></object>",
    "<embed src=\"https://evil.example/x.swf\">",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<div style=\"width: expression(alert(1))\">styled</div>",
    "<p onmouseover=\"alert(1)\">hover</p>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<details open ontoggle=alert(1)>d</details>",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<table background=\"javascript:alert(1)\"><tr><td>t</td></tr></table>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
];

fn xss_page() -> String {
    let mut body = String::from(
        "<!DOCTYPE html><html><head><title>Council debates the port budget</title></head>\
         <body><article><h1>Council debates the port budget</h1>",
    );
    for (i, vector) in XSS_VECTORS.iter().enumerate() {
        body.push_str(&format!(
            "<p>Paragraph {i} of the report: the council spent the whole afternoon on the port \
             budget, line by line, and the members asked for the audit before the vote. {vector} \
             The minister answered each question and promised figures next week.</p>"
        ));
    }
    body.push_str("</article></body></html>");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xss_vectors_in_an_article_page_do_not_survive() {
    let world = World::start(Router::new(), "").await;
    world.server.set_file("xss/article.html", xss_page());
    world.server.set_file(
        "xss/feed.xml",
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>X</title><link>{{BASE}}/xss/</link>\
         <item><title>Council debates the port budget</title><link>{{BASE}}/xss/article.html</link>\
         <guid>xss-1</guid><description>Teaser</description></item></channel></rss>",
    );
    let feeds =
        "[[feeds]]\nname = \"xss\"\nurl = \"{{BASE}}/xss/feed.xml\"\nrespect_robots = false\n";
    world.write_config(HEADER, feeds);
    let out = world.feedmix(&["ingest", "--all"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let from_page = count(
        &world.db(),
        "SELECT COUNT(*) FROM articles WHERE body_source = 'page'",
    );
    assert_eq!(
        from_page,
        1,
        "the article page was not used: {}",
        text(&out)
    );
    let (fields, found) = exported_dangers(&world).await;
    assert!(fields >= 3, "nothing exported");
    assert!(found.is_empty(), "dangerous markup survived: {found:#?}");
}
