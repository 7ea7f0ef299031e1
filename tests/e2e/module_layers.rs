//! The crate's files form no import cycle and import only down their layers (issue 18). Every
//! path a file's non-test code names (`use` trees with their braces expanded, and inline
//! `crate::…`, `super::…`, `self::…` and child-module paths) is resolved to the file that
//! defines the module it reaches; a `mod` declaration is not an import. A depth-first walk
//! finds no back edge, and no file imports a file of a higher layer (see [`LAYERS`]).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first: a file may import its own layer and the ones below, never one
/// above. A file takes the layer of the longest prefix of its path (relative to `src/`) listed.
const LAYERS: &[(&str, u32)] = &[
    // The crate's foundations: generated metadata, the filter language, who calls.
    ("registry.rs", 0),
    ("registry", 0),
    ("budget_usage.rs", 0),
    ("entities.rs", 0),
    ("filter.rs", 0),
    ("filter", 0),
    ("caller.rs", 0),
    // Human approval of writes: codes and how the person is asked (std and crates only).
    ("approval.rs", 0),
    ("approval", 0),
    // Flags and environment, logs and counters.
    ("config.rs", 10),
    ("config", 10),
    ("logging.rs", 10),
    ("metrics.rs", 10),
    // The REST client, the emulator, the audit log and write approvals.
    ("autotask", 20),
    ("sandbox", 20),
    ("audit", 20),
    // The tools, in their own layers (src/tools/mod.rs says what each holds).
    ("tools/spec", 30),
    ("tools/facts", 31),
    ("tools/tenant", 32),
    ("tools/present", 33),
    ("tools/write", 34),
    ("tools/call", 35),
    ("tools/catalog", 36),
    ("tools", 37),
    // What the server offers besides tools, the server, the transports.
    ("completions.rs", 40),
    ("prompts.rs", 40),
    ("conformance.rs", 40),
    ("server.rs", 50),
    ("server", 50),
    ("transport", 60),
    ("lib.rs", 70),
];

/// The `src/` walked: this checkout's, or another tree's named by `MODULE_LAYERS_SRC` (to show
/// the check failing on an older layout).
fn src() -> PathBuf {
    match std::env::var_os("MODULE_LAYERS_SRC") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
    }
}

/// The module path of a file (`tools/call/def.rs` → `["tools", "call", "def"]`).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    let last = parts.pop().unwrap_or_default();
    match last.as_str() {
        "mod.rs" | "lib.rs" => {}
        file => parts.push(file.trim_end_matches(".rs").to_string()),
    }
    parts
}

/// The non-test code of a file: comments, strings and `#[cfg(test)]` modules removed.
fn code_of(text: &str) -> String {
    // Test modules: `#[cfg(test)] mod x;` and `#[cfg(test)] mod x { … }`.
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        if trimmed.starts_with("mod ") || trimmed.starts_with("pub mod ") {
            match (trimmed.find('{'), trimmed.find(';')) {
                (Some(open), semi) if semi.is_none_or(|s| open < s) => {
                    let mut depth = 0usize;
                    let mut end = trimmed.len();
                    for (i, c) in trimmed[open..].char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' => {
                                depth -= 1;
                                if depth == 0 {
                                    end = open + i + 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    rest = &trimmed[end..];
                }
                (_, Some(semi)) => rest = &trimmed[semi + 1..],
                _ => rest = "",
            }
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    inline_modules_as_self(&strip_comments_and_strings(&out))
}

/// `super::` inside an inline `mod name { … }` names the file's own module: rewritten as
/// `self::`, so it resolves to this file.
fn inline_modules_as_self(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("mod ") {
        let head = &rest[at + 4..];
        let name_len = head
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(head.len());
        let after = head[name_len..].trim_start();
        let boundary = at == 0 || rest[..at].ends_with(|c: char| c.is_whitespace() || c == '}');
        if !boundary || name_len == 0 || !after.starts_with('{') {
            out.push_str(&rest[..at + 4]);
            rest = &rest[at + 4..];
            continue;
        }
        let open = at + 4 + (head.len() - after.len());
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push_str(&rest[..open]);
        out.push_str(&rest[open..end].replace("super::", "self::"));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `text` with comments, string literals and char literals blanked out.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
        {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' {
                    j += 1;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A char literal ('"', '\n'); lifetimes ('a) are left alone.
            let mut j = i + 1;
            if chars.get(j) == Some(&'\\') {
                j += 1;
            }
            j += 1;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            out.push_str("' '");
            i = j + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Every path a `use` tree names, braces expanded (`a::{b, c::{d}}` → `a::b`, `a::c::d`).
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or_default().trim();
        return vec![path.trim_end_matches("::*").to_string()];
    };
    let prefix = tree[..open].trim_end_matches("::").trim();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut items = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .filter(|i| !i.trim().is_empty())
        .flat_map(expand)
        .map(|p| {
            if p == "self" {
                prefix.to_string()
            } else if prefix.is_empty() {
                p
            } else {
                format!("{prefix}::{p}")
            }
        })
        .collect()
}

/// The paths a file's code names: its `use` trees and its inline paths.
fn paths_of(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    let mut others = String::new();
    // `use` declarations (possibly `pub use`, spread over lines).
    while let Some(at) = rest.find("use ") {
        let boundary = at == 0
            || rest[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_whitespace() || c == ';' || c == '{' || c == '}' || c == ')');
        others.push_str(&rest[..at]);
        if !boundary {
            others.push_str("use ");
            rest = &rest[at + 4..];
            continue;
        }
        let tail = &rest[at + 4..];
        let end = tail.find(';').unwrap_or(tail.len());
        paths.extend(expand(&tail[..end]));
        rest = &tail[(end + 1).min(tail.len())..];
    }
    others.push_str(rest);
    // Inline paths: runs of `ident::ident::…`.
    let bytes: Vec<char> = others.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let starts = (c.is_ascii_alphabetic() || c == '_')
            && (i == 0
                || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':'));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut path = String::new();
        loop {
            let s = j;
            while j < bytes.len() && (bytes[j].is_alphanumeric() || bytes[j] == '_') {
                j += 1;
            }
            path.extend(&bytes[s..j]);
            if j + 2 < bytes.len() && bytes[j] == ':' && bytes[j + 1] == ':' {
                let next = bytes[j + 2];
                if next.is_ascii_alphabetic() || next == '_' {
                    path.push_str("::");
                    j += 2;
                    continue;
                }
            }
            break;
        }
        if path.contains("::") {
            paths.push(path);
        }
        i = j.max(i + 1);
    }
    paths
}

struct Crate {
    /// Module path → file (relative to `src/`).
    modules: BTreeMap<Vec<String>, PathBuf>,
    /// File → its non-test code.
    code: BTreeMap<PathBuf, String>,
}

fn read_crate() -> Crate {
    fn walk(dir: &Path, root: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, root, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path.strip_prefix(root).expect("under src/").to_path_buf());
            }
        }
    }
    let root = src();
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    let mut modules = BTreeMap::new();
    let mut code = BTreeMap::new();
    for rel in files {
        // The binary is its own crate: it reaches the library by name, not through `crate::`.
        if rel == Path::new("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(root.join(&rel)).expect("a source file is readable");
        modules.insert(module_of(&rel), rel.clone());
        code.insert(rel, code_of(&text));
    }
    Crate { modules, code }
}

impl Crate {
    /// The file a path named in `from` reaches: the deepest module along it.
    fn resolve(&self, from: &Path, path: &str) -> Option<PathBuf> {
        let here = module_of(from);
        let segments: Vec<&str> = path.split("::").collect();
        let (mut base, rest): (Vec<String>, &[&str]) = match segments.first().copied() {
            Some("crate") => (Vec::new(), &segments[1..]),
            Some("self") => (here.clone(), &segments[1..]),
            Some("super") => {
                let mut base = here.clone();
                let mut n = 0;
                while segments.get(n) == Some(&"super") {
                    base.pop();
                    n += 1;
                }
                (base, &segments[n..])
            }
            Some(first) => {
                // A child module of this file's module (uniform paths), else not ours.
                let mut child = here.clone();
                child.push(first.to_string());
                if self.modules.contains_key(&child) {
                    (here.clone(), &segments[..])
                } else {
                    return None;
                }
            }
            None => return None,
        };
        let mut found = self.modules.get(&base).cloned();
        for s in rest {
            base.push((*s).to_string());
            match self.modules.get(&base) {
                Some(file) => found = Some(file.clone()),
                None => break,
            }
        }
        found
    }

    /// File → the files its code imports.
    fn graph(&self) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
        let mut graph = BTreeMap::new();
        for (file, code) in &self.code {
            let mut edges = BTreeSet::new();
            for path in paths_of(code) {
                if let Some(target) = self.resolve(file, &path)
                    && target != *file
                {
                    edges.insert(target);
                }
            }
            graph.insert(file.clone(), edges);
        }
        graph
    }
}

fn layer_of(file: &Path) -> u32 {
    let rel = file.to_string_lossy().replace('\\', "/");
    LAYERS
        .iter()
        .filter(|(prefix, _)| rel == *prefix || rel.starts_with(&format!("{prefix}/")))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, layer)| *layer)
        .unwrap_or_else(|| panic!("{rel} is in no layer: add its folder to LAYERS"))
}

fn find_cycle<N: Ord + Clone>(graph: &BTreeMap<N, BTreeSet<N>>) -> Option<Vec<N>> {
    fn visit<N: Ord + Clone>(
        node: &N,
        graph: &BTreeMap<N, BTreeSet<N>>,
        path: &mut Vec<N>,
        done: &mut BTreeSet<N>,
    ) -> Option<Vec<N>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.clone());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn show(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(" → ")
}

#[test]
fn the_crate_has_no_import_cycle_and_imports_run_down_the_layers() {
    let krate = read_crate();
    let graph = krate.graph();
    // Every cycle, each found once: its closing edge is dropped before looking again.
    let mut cycles = Vec::new();
    let mut rest = graph.clone();
    while let Some(cycle) = find_cycle(&rest) {
        if let [.., from, to] = cycle.as_slice()
            && let Some(edges) = rest.get_mut(from)
        {
            edges.remove(to);
        }
        cycles.push(show(&cycle));
        if cycles.len() > 50 {
            break;
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
    // The walk sees the edges it must.
    let edge = |from: &str, to: &str| {
        graph
            .get(Path::new(from))
            .is_some_and(|e| e.contains(Path::new(to)))
    };
    for (from, to) in [
        ("tools/call/def.rs", "tools/write/pipeline.rs"),
        ("tools/inventory.rs", "tools/catalog/tickets.rs"),
        ("tools/catalog/tickets.rs", "tools/spec/tool.rs"),
        ("server.rs", "tools/mod.rs"),
        ("sandbox/routes.rs", "sandbox/handlers.rs"),
        ("autotask/client.rs", "autotask/zone.rs"),
        ("sandbox/query.rs", "registry.rs"),
    ] {
        assert!(
            edge(from, to),
            "{from} → {to} not seen: {:?}",
            graph.get(Path::new(from))
        );
    }

    let mut upward = Vec::new();
    for (from, targets) in &graph {
        for to in targets {
            if layer_of(to) > layer_of(from) {
                upward.push(format!(
                    "{} (layer {}) imports {} (layer {})",
                    from.display(),
                    layer_of(from),
                    to.display(),
                    layer_of(to)
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports up a layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_walk_reads_use_trees_and_inline_paths() {
    let code = code_of(
        "use crate::tools::{spec::{kind::Kind, param}, write::plan as p};\n\
         use super::Limits; // crate::not::this\n\
         fn f() { crate::metrics::record(); let s = \"crate::nor::this\"; names::x(); }\n\
         #[cfg(test)]\nmod tests {\n    use crate::server::X;\n}\n",
    );
    let paths = paths_of(&code);
    for want in [
        "crate::tools::spec::kind::Kind",
        "crate::tools::spec::param",
        "crate::tools::write::plan",
        "super::Limits",
        "crate::metrics::record",
        "names::x",
    ] {
        assert!(
            paths.iter().any(|p| p == want),
            "{want} missing from {paths:?}"
        );
    }
    for unwanted in ["crate::not::this", "crate::nor::this", "crate::server::X"] {
        assert!(
            !paths.iter().any(|p| p.starts_with(unwanted)),
            "{unwanted} in {paths:?}"
        );
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph: BTreeMap<&str, BTreeSet<&str>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.into_iter().collect()))
    .collect();
    assert_eq!(find_cycle(&graph), Some(vec!["a", "b", "c", "a"]));
    let acyclic: BTreeMap<&str, BTreeSet<&str>> = [("a", vec!["b"]), ("b", vec![])]
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect();
    assert_eq!(find_cycle(&acyclic), None);
}
