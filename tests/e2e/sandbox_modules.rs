//! The sandbox's modules form no import cycle (issue 9): every `super::x`, `crate::sandbox::x`
//! and, in `mod.rs`, `x::` reference between the files of `src/sandbox/` (test modules left
//! out) is an edge, and a depth-first walk finds no back edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name → the sibling modules its non-test code refers to.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sandbox");
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("src/sandbox is readable") {
        let path = entry.expect("a directory entry").path();
        let name = if path.is_dir() {
            path.file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
        } else {
            path.file_stem()
                .and_then(|n| n.to_str())
                .map(str::to_string)
        };
        let file = if path.is_dir() {
            path.join("mod.rs")
        } else {
            path
        };
        let text = std::fs::read_to_string(&file).expect("a sandbox source file is readable");
        let code = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .to_string();
        sources.insert(name.expect("a UTF-8 file name"), code);
    }
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, code) in &sources {
        let mut edges = BTreeSet::new();
        for other in modules.iter().filter(|m| *m != name && *m != "mod") {
            let patterns = [
                format!("super::{other}"),
                format!("crate::sandbox::{other}"),
            ];
            let braced = code.contains("super::{")
                && code.split("super::{").skip(1).any(|rest| {
                    rest.split('}')
                        .next()
                        .unwrap_or_default()
                        .split(',')
                        .any(|item| item.trim().split("::").next() == Some(other.as_str()))
                });
            let in_mod = name == "mod"
                && code
                    .lines()
                    .filter(|l| {
                        !l.trim_start().starts_with("mod ")
                            && !l.trim_start().starts_with("pub mod ")
                    })
                    .any(|l| l.contains(&format!("{other}::")));
            if braced || in_mod || patterns.iter().any(|p| code.contains(p.as_str())) {
                edges.insert(other.clone());
            }
        }
        // A child naming an item of `mod.rs` (`super::Sandbox`, `super::{Sandbox, ..}`).
        if name != "mod"
            && (code.contains("super::{")
                || code.lines().any(|l| {
                    l.split("super::")
                        .skip(1)
                        .any(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
                }))
        {
            let upper = code.split("super::").skip(1).any(|rest| {
                rest.starts_with(|c: char| c.is_ascii_uppercase())
                    || (rest.starts_with('{')
                        && rest
                            .split('}')
                            .next()
                            .unwrap_or_default()
                            .split(',')
                            .any(|i| {
                                i.trim()
                                    .trim_start_matches('{')
                                    .starts_with(|c: char| c.is_ascii_uppercase())
                            }))
            });
            if upper {
                edges.insert("mod".to_string());
            }
        }
        graph.insert(name.clone(), edges);
    }
    graph
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn sandbox_modules_form_no_cycle() {
    let graph = graph();
    // The walk sees the edges it must: the pipeline calls the handlers, and `mod` the router.
    assert!(graph["routes"].contains("handlers"), "{graph:?}");
    assert!(graph["mod"].contains("routes"), "{graph:?}");
    assert!(graph["cli"].contains("mod"), "{graph:?}");
    assert_eq!(find_cycle(&graph), None, "{graph:?}");
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"])]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
            .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
