//! What is republished: the richer of page and feed (paywalled teasers lose), the per-feed
//! `republish` policy (full, excerpt, link), and pages that ask not to be archived.

use axum::Router;

use crate::support::{count, text, World};

/// The JSON export's items, by URL fragment.
async fn items(world: &World) -> Vec<serde_json::Value> {
    let out = world
        .feedmix(&["export", "--format", "json", "--limit", "0"])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["items"].as_array().unwrap().clone()
}

fn find<'a>(items: &'a [serde_json::Value], slug: &str) -> &'a serde_json::Value {
    items
        .iter()
        .find(|i| i["url"].as_str().unwrap().contains(slug))
        .unwrap_or_else(|| panic!("{slug} not exported"))
}

fn words(item: &serde_json::Value) -> usize {
    item["content_text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paywalled_teaser_loses_to_a_full_feed_text() {
    let world = World::start(Router::new(), "").await;
    let path = "lorientlejour/feed.xml";
    let feed = String::from_utf8(world.server.file(path).unwrap()).unwrap();
    let teaser = "<description><![CDATA[Le bidon d'essence 95 octanes gagne l'équivalent de 30 cents cette semaine.]]></description>";
    assert!(feed.contains(teaser), "fixture changed");
    let paragraph = "Les prix à la pompe ont encore augmenté cette semaine, selon le barème publié par le ministère, qui cite la hausse des cours internationaux et du fret.";
    let full: String = (1..=8)
        .map(|n| format!("<p>{n}. {paragraph}</p>"))
        .collect();
    world.server.set_file(
        path,
        feed.replace(
            teaser,
            &format!("<description><![CDATA[{full}]]></description>"),
        ),
    );
    assert!(world
        .feedmix(&["ingest", "--feed", "lorientlejour"])
        .await
        .status
        .success());
    let chosen = count(&world.db(), "SELECT COUNT(*) FROM articles WHERE url LIKE '%prix-carburants-hausse%' AND body_source = 'feed' AND page_error LIKE '%teaser%'");
    assert_eq!(
        chosen, 1,
        "the paywalled page should lose to the feed's full text, with the reason recorded"
    );
    let all = items(&world).await;
    let item = find(&all, "prix-carburants-hausse");
    assert!(words(item) > 150, "{item}");
    assert!(!item["content_text"]
        .as_str()
        .unwrap()
        .contains("Abonnez-vous"));
    // Pages richer than their teaser description keep the page's text.
    assert!(
        count(
            &world.db(),
            "SELECT COUNT(*) FROM articles WHERE body_source = 'page'"
        ) > 0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn republish_policies_and_noarchive() {
    let world = World::start(Router::new(), "").await;
    let config = std::fs::read_to_string(world.config())
        .unwrap()
        .replace(
            "name = \"almanar\"",
            "name = \"almanar\"\nrepublish = \"excerpt\"",
        )
        .replace(
            "name = \"cedarnews\"",
            "name = \"cedarnews\"\nrepublish = \"link\"",
        );
    std::fs::write(world.config(), config).unwrap();
    let page = "lorienttoday/articles/cement-shortage-south.html";
    let html = String::from_utf8(world.server.file(page).unwrap()).unwrap();
    world.server.set_file(
        page,
        html.replacen(
            "<head>",
            "<head><meta name=\"robots\" content=\"index, noarchive\">",
            1,
        ),
    );
    assert!(world.feedmix(&["ingest"]).await.status.success());
    let all = items(&world).await;

    for item in all.iter().filter(|i| i["_feedmix"]["source"] == "almanar") {
        assert!(words(item) <= 90, "excerpt too long: {item}");
        assert!(words(item) > 0);
    }
    for item in all
        .iter()
        .filter(|i| i["_feedmix"]["source"] == "cedarnews")
    {
        assert_eq!(words(item), 0, "link-only item carries text: {item}");
        assert!(item["title"].as_str().is_some() && item["url"].as_str().is_some());
    }
    let noarchive = find(&all, "cement-shortage-south");
    assert!(
        words(noarchive) <= 90 && words(noarchive) > 0,
        "noarchive page not cut to an excerpt: {noarchive}"
    );
    let full = find(&all, "beirut-oldest-bookshop-reopens");
    assert!(
        words(full) > words(noarchive),
        "full republishing should keep the whole text"
    );
}
