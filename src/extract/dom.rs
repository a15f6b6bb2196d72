//! A flat, pre-order arena over a parsed page: every node once, subtrees as index ranges.
//! Owns the walk over scraper's tree and the caps on depth and node count; reads nothing else.

use std::borrow::Cow;

use scraper::node::Element;
use scraper::{Html, Node};

/// Subtrees nested deeper than this are skipped: bounds time and stack on hostile pages.
pub(crate) const MAX_DEPTH: usize = 256;
/// Pages with more nodes than this are cut off: bounds time and memory on huge pages.
pub(crate) const MAX_NODES: usize = 300_000;

/// The values of attributes `names` of `e`, in one pass over its attributes, as
/// `Element::attr` reads each: in HTML's null namespace (an SVG `xlink:role` is not `role`).
/// `Element::attr` interns the name it is given and searches, per call; the extractor reads
/// several attributes of every element (2% of a bulk ingest's instructions that way).
pub(crate) fn attrs_of<'e, const N: usize>(
    e: &'e Element,
    names: [&str; N],
) -> [Option<&'e str>; N] {
    let mut found = [None; N];
    for (name, value) in e.attrs.iter() {
        if !name.ns.is_empty() {
            continue;
        }
        if let Some(i) = names.iter().position(|n| *n == &*name.local) {
            found[i] = Some(&**value);
        }
    }
    found
}

/// What a node is, borrowed from the parsed page.
pub(crate) enum Kind<'a> {
    /// An element with its tag and attributes.
    Element(&'a Element),
    /// A text node.
    Text(&'a str),
    /// Document, doctype, comment or processing instruction.
    Other,
}

/// One node of the arena.
pub(crate) struct DomNode<'a> {
    /// The node itself.
    pub kind: Kind<'a>,
    /// Index of the parent, `usize::MAX` for the document.
    pub parent: usize,
    /// One past the last index of this node's subtree.
    pub end: usize,
    /// Lower-cased `class` attribute, empty when absent (borrowed when already lower case).
    pub class: Cow<'a, str>,
    /// Lower-cased `id` attribute, empty when absent (borrowed when already lower case).
    pub id: Cow<'a, str>,
}

/// The whole page as a pre-order arena.
pub(crate) struct Dom<'a> {
    /// Nodes in document order.
    pub nodes: Vec<DomNode<'a>>,
}

impl<'a> Dom<'a> {
    /// Flattens `html`, skipping what lies beyond [`MAX_DEPTH`] and [`MAX_NODES`].
    pub fn build(html: &'a Html) -> Self {
        // Sized once: growing it node by node copied the whole arena at every doubling.
        let mut nodes: Vec<DomNode<'a>> =
            Vec::with_capacity(html.tree.nodes().take(MAX_NODES + 1).count());
        let mut open: Vec<usize> = Vec::new();
        let mut cur = Some(html.tree.root());
        while let Some(node) = cur {
            let idx = nodes.len();
            nodes.push(Self::make_node(node.value(), open.last().copied(), idx + 1));
            let descend = open.len() < MAX_DEPTH && nodes.len() < MAX_NODES;
            if let (true, Some(child)) = (descend, node.first_child()) {
                open.push(idx);
                cur = Some(child);
                continue;
            }
            cur = None;
            let mut at = node;
            while nodes.len() < MAX_NODES {
                if let Some(sibling) = at.next_sibling() {
                    cur = Some(sibling);
                    break;
                }
                match (open.pop(), at.parent()) {
                    (Some(p), Some(parent)) => {
                        nodes[p].end = nodes.len();
                        at = parent;
                    }
                    _ => break,
                }
            }
        }
        let len = nodes.len();
        for p in open {
            nodes[p].end = len;
        }
        Dom { nodes }
    }

    fn make_node(value: &'a Node, parent: Option<usize>, end: usize) -> DomNode<'a> {
        let [class, id] = match value {
            Node::Element(e) => attrs_of(e, ["class", "id"]),
            _ => [None, None],
        };
        let lower = |v: Option<&'a str>| -> Cow<'a, str> {
            match v {
                Some(v) if v.bytes().any(|b| b.is_ascii_uppercase()) => {
                    Cow::Owned(v.to_ascii_lowercase())
                }
                Some(v) => Cow::Borrowed(v),
                None => Cow::Borrowed(""),
            }
        };
        let (class, id) = (lower(class), lower(id));
        let kind = match value {
            Node::Element(e) => Kind::Element(e),
            Node::Text(t) => Kind::Text(t),
            _ => Kind::Other,
        };
        DomNode {
            kind,
            parent: parent.unwrap_or(usize::MAX),
            end,
            class,
            id,
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The element at `i`, if it is one.
    pub fn element(&self, i: usize) -> Option<&'a Element> {
        match self.nodes[i].kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }

    /// Local tag name of element `i`, empty for other nodes.
    pub fn tag(&self, i: usize) -> &'a str {
        self.element(i).map_or("", |e| e.name())
    }

    /// Attribute `name` of element `i`.
    pub fn attr(&self, i: usize, name: &str) -> Option<&'a str> {
        self.element(i).and_then(|e| attrs_of(e, [name])[0])
    }

    /// Parent index of `i`.
    pub fn parent(&self, i: usize) -> Option<usize> {
        let p = self.nodes[i].parent;
        (p != usize::MAX).then_some(p)
    }

    /// Direct children of `i` in document order.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.nodes[i].end;
        let mut next = i + 1;
        std::iter::from_fn(move || {
            (next < end).then(|| {
                let c = next;
                next = self.nodes[c].end;
                c
            })
        })
    }

    /// Ancestors of `i`, nearest first.
    pub fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let mut at = i;
        std::iter::from_fn(move || self.parent(at).inspect(|&p| at = p))
    }

    /// Whether `i` lies inside an element named `tag`.
    pub fn has_ancestor(&self, i: usize, tag: &str) -> bool {
        self.ancestors(i).any(|a| self.tag(a) == tag)
    }

    /// Index of the first element named `tag`.
    pub fn find_tag(&self, tag: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.tag(i) == tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_read_in_one_pass_are_what_element_attr_reads() {
        let html = scraper::Html::parse_document(
            "<div id=d Class=Big role=menu data-x=1 hidden></div>\
             <svg><a xlink:role=navigation xlink:href=/x role=img href=/y></a></svg>",
        );
        let names = ["id", "class", "role", "href", "hidden", "data-x", "style"];
        for e in html.tree.nodes().filter_map(|n| n.value().as_element()) {
            let one_by_one: Vec<Option<&str>> = names.iter().map(|n| e.attr(n)).collect();
            assert_eq!(attrs_of(e, names).to_vec(), one_by_one, "{}", e.name());
        }
    }

    #[test]
    fn subtrees_are_contiguous_ranges() {
        let html = Html::parse_document("<div><p>a<b>b</b></p><p>c</p></div>");
        let dom = Dom::build(&html);
        let div = dom.find_tag("div").unwrap();
        let kids: Vec<&str> = dom.children(div).map(|c| dom.tag(c)).collect();
        assert_eq!(kids, ["p", "p"]);
        assert_eq!(dom.nodes[div].end, dom.len());
    }

    #[test]
    fn deep_nesting_is_capped() {
        let page = "<div>".repeat(5000) + "x";
        let html = Html::parse_document(&page);
        let dom = Dom::build(&html);
        assert!(dom.len() <= MAX_DEPTH + 10);
    }
}
