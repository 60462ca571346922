//! Security frameworks and their requirement catalogues (SPEC §2): the rows
//! pages and the API show, and the JSON catalogue format that the seed
//! migration ships and `rampart frameworks import FILE` reads.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A framework as lists and pickers show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Framework {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub version: String,
    pub description: String,
    pub issuing_body: String,
    pub reference_url: String,
    pub requirement_count: i64,
}

/// One requirement of a framework's catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CatalogueRequirement {
    pub id: Uuid,
    pub framework_id: Uuid,
    pub reference: String,
    pub title: String,
    pub parent_reference: Option<String>,
    pub depth: i32,
    pub assessable: bool,
}

/// A catalogue file. Unknown keys are refused so a misspelt key (say
/// "parent" for "parent_reference") is an error, not silently missing data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CatalogueFile {
    pub slug: String,
    pub name: String,
    pub version: String,
    pub issuing_body: String,
    pub description: String,
    pub reference_url: String,
    pub requirements: Vec<CatalogueEntry>,
}

/// One requirement in a catalogue file; `parent_reference` names another
/// entry's `reference` in the same file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub reference: String,
    pub title: String,
    #[serde(default)]
    pub parent_reference: Option<String>,
    pub depth: i32,
    pub assessable: bool,
}

/// Every problem found in a catalogue, each a full sentence, so one import
/// attempt shows everything to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The catalogue is invalid. {}", .problems.join(" "))]
pub struct CatalogueError {
    pub problems: Vec<String>,
}

pub const TITLE_MAX_CHARS: usize = 300;
pub const REFERENCE_MAX_CHARS: usize = 100;

/// The catalogues Rampart ships: (slug, file text). The seed migration and
/// the tests read the same files.
pub const SHIPPED_CATALOGUES: [(&str, &str); 9] = [
    ("nist-csf", include_str!("../catalogues/nist-csf.json")),
    ("iso-27001", include_str!("../catalogues/iso-27001.json")),
    (
        "cis-controls",
        include_str!("../catalogues/cis-controls.json"),
    ),
    (
        "owasp-top-10",
        include_str!("../catalogues/owasp-top-10.json"),
    ),
    ("pci-dss", include_str!("../catalogues/pci-dss.json")),
    ("hipaa", include_str!("../catalogues/hipaa.json")),
    ("gdpr", include_str!("../catalogues/gdpr.json")),
    ("soc2", include_str!("../catalogues/soc2.json")),
    ("nist-csf-2", include_str!("../catalogues/nist-csf-2.json")),
];

fn slug_ok(slug: &str) -> bool {
    (2..=63).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

/// Checks a required one-line text; `what` starts the sentence.
fn text_problem(what: &str, value: &str, max: usize) -> Option<String> {
    if value.trim().is_empty() {
        Some(format!("{what} is empty."))
    } else if value.chars().count() > max {
        Some(format!("{what} is longer than {max} characters."))
    } else if value.trim() != value || value.chars().any(char::is_control) {
        Some(format!(
            "{what} has leading or trailing spaces or control characters."
        ))
    } else {
        None
    }
}

impl CatalogueFile {
    /// Reads a catalogue file; the text must be JSON of the catalogue shape.
    /// Call [`CatalogueFile::validate`] before using it.
    pub fn parse_json(text: &str) -> Result<CatalogueFile, CatalogueError> {
        serde_json::from_str(text).map_err(|error| CatalogueError {
            problems: vec![format!(
                "The file is not a catalogue in the expected JSON format: {error}."
            )],
        })
    }

    /// Checks the catalogue as a whole and reports every problem: slug
    /// format; name, version, references and titles present and not too long;
    /// at least one requirement; unique references; every parent present; no
    /// cycles; depth 1 for roots and parent + 1 below; assessable exactly for
    /// leaves.
    pub fn validate(&self) -> Result<(), CatalogueError> {
        let mut problems = Vec::new();
        if !slug_ok(&self.slug) {
            problems.push(format!(
                "The slug \"{}\" must be 2–63 lower-case letters, digits and single hyphens.",
                self.slug
            ));
        }
        problems.extend(text_problem("The name", &self.name, 200));
        problems.extend(text_problem("The version", &self.version, 50));
        if self.requirements.is_empty() {
            problems.push("The catalogue has no requirements.".to_string());
        }

        // Parents resolve to the first entry with a reference; any later one
        // is reported as a duplicate.
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut duplicates: Vec<&str> = Vec::new();
        for (position, entry) in self.requirements.iter().enumerate() {
            let number = position + 1;
            problems.extend(text_problem(
                &format!("The reference of requirement {number}"),
                &entry.reference,
                REFERENCE_MAX_CHARS,
            ));
            problems.extend(text_problem(
                &format!("The title of requirement \"{}\"", entry.reference),
                &entry.title,
                TITLE_MAX_CHARS,
            ));
            let reference = entry.reference.as_str();
            if !index.contains_key(reference) {
                index.insert(reference, position);
            } else if !duplicates.contains(&reference) {
                duplicates.push(reference);
            }
        }
        for reference in &duplicates {
            problems.push(format!(
                "The reference \"{reference}\" is used by more than one requirement."
            ));
        }

        let parent_of = |entry: &CatalogueEntry| -> Option<usize> {
            entry
                .parent_reference
                .as_deref()
                .and_then(|parent| index.get(parent).copied())
        };

        let mut missing_parent = HashSet::new();
        for (position, entry) in self.requirements.iter().enumerate() {
            if let Some(parent) = entry.parent_reference.as_deref() {
                if !index.contains_key(parent) {
                    missing_parent.insert(position);
                    problems.push(format!(
                        "Requirement \"{}\" names the parent \"{parent}\", which is not in the catalogue.",
                        entry.reference
                    ));
                }
            }
        }

        // Cycles: follow parents from every entry; an entry is in a cycle
        // when the walk comes back to an entry already on the current path.
        let count = self.requirements.len();
        let mut in_cycle = vec![false; count];
        let mut settled = vec![false; count];
        for start in 0..count {
            let mut path = Vec::new();
            let mut on_path = HashSet::new();
            let mut current = Some(start);
            while let Some(position) = current {
                if settled[position] {
                    break;
                }
                if !on_path.insert(position) {
                    let from = path.iter().position(|p| *p == position).unwrap_or(0);
                    let members: Vec<usize> = path[from..].to_vec();
                    for member in &members {
                        in_cycle[*member] = true;
                    }
                    let mut names: Vec<String> = members
                        .iter()
                        .map(|m| format!("\"{}\"", self.requirements[*m].reference))
                        .collect();
                    names.sort();
                    problems.push(match names.as_slice() {
                        [one] => format!("Requirement {one} names itself as its parent."),
                        _ => format!(
                            "Requirements {} are each other's ancestors (a parent cycle).",
                            names.join(", ")
                        ),
                    });
                    break;
                }
                path.push(position);
                current = parent_of(&self.requirements[position]);
            }
            for position in path {
                settled[position] = true;
            }
        }

        let mut has_children = vec![false; count];
        for entry in &self.requirements {
            if let Some(parent) = parent_of(entry) {
                has_children[parent] = true;
            }
        }

        for (position, entry) in self.requirements.iter().enumerate() {
            let reference = &entry.reference;
            // Depth and leaf-ness mean nothing inside a cycle (reported above).
            if in_cycle[position] {
                continue;
            }
            if !missing_parent.contains(&position) {
                match parent_of(entry) {
                    None if entry.depth != 1 => problems.push(format!(
                        "Requirement \"{reference}\" has no parent, so its depth must be 1, not {}.",
                        entry.depth
                    )),
                    Some(parent) => {
                        let parent = &self.requirements[parent];
                        let expected = parent.depth.saturating_add(1);
                        if entry.depth != expected {
                            problems.push(format!(
                                "Requirement \"{reference}\" has depth {}, but its parent \"{}\" has depth {}, so it must be {expected}.",
                                entry.depth, parent.reference, parent.depth
                            ));
                        }
                    }
                    None => {}
                }
            }
            match (entry.assessable, has_children[position]) {
                (true, true) => problems.push(format!(
                    "Requirement \"{reference}\" has sub-requirements, so it cannot be assessable; only leaves are."
                )),
                (false, false) => problems.push(format!(
                    "Requirement \"{reference}\" has no sub-requirements, so it must be assessable."
                )),
                _ => {}
            }
        }

        if problems.is_empty() {
            Ok(())
        } else {
            Err(CatalogueError { problems })
        }
    }

    /// How many requirements are leaves (the ones tracked and scored).
    pub fn assessable_count(&self) -> usize {
        self.requirements
            .iter()
            .filter(|entry| entry.assessable)
            .count()
    }
}

/// The entries with every parent before its children and siblings in file
/// order (a depth-first walk), which is how the catalogue tree is shown and
/// the order inserts must follow. Entries that cannot be placed (a missing
/// parent or a cycle; validation reports both) come last, in file order, so
/// nothing is lost.
pub fn tree_order(entries: &[CatalogueEntry]) -> Vec<&CatalogueEntry> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (position, entry) in entries.iter().enumerate() {
        first.entry(entry.reference.as_str()).or_insert(position);
    }
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (position, entry) in entries.iter().enumerate() {
        match entry.parent_reference.as_deref() {
            None => roots.push(position),
            Some(parent) => {
                if let Some(&parent) = first.get(parent) {
                    children.entry(parent).or_default().push(position);
                }
            }
        }
    }
    let mut placed = vec![false; entries.len()];
    let mut ordered = Vec::with_capacity(entries.len());
    // An explicit stack, children pushed in reverse so they pop in file order.
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(position) = stack.pop() {
        if placed[position] {
            continue;
        }
        placed[position] = true;
        ordered.push(&entries[position]);
        if let Some(kids) = children.get(&position) {
            stack.extend(kids.iter().rev().copied());
        }
    }
    for (position, entry) in entries.iter().enumerate() {
        if !placed[position] {
            ordered.push(entry);
        }
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(slug: &str) -> CatalogueFile {
        let text = SHIPPED_CATALOGUES
            .iter()
            .find(|(s, _)| *s == slug)
            .map(|(_, text)| *text)
            .unwrap();
        let file = CatalogueFile::parse_json(text).unwrap();
        file.validate().unwrap_or_else(|e| panic!("{slug}: {e}"));
        assert_eq!(file.slug, slug);
        file
    }

    fn depth_counts(file: &CatalogueFile) -> Vec<usize> {
        let max = file.requirements.iter().map(|e| e.depth).max().unwrap_or(0);
        (1..=max)
            .map(|depth| {
                file.requirements
                    .iter()
                    .filter(|e| e.depth == depth)
                    .count()
            })
            .collect()
    }

    fn children_of<'a>(file: &'a CatalogueFile, parent: &str) -> Vec<&'a CatalogueEntry> {
        file.requirements
            .iter()
            .filter(|e| e.parent_reference.as_deref() == Some(parent))
            .collect()
    }

    #[test]
    fn nist_csf_1_1() {
        let file = shipped("nist-csf");
        assert_eq!(
            (file.name.as_str(), file.version.as_str()),
            ("NIST Cybersecurity Framework", "1.1")
        );
        assert_eq!(depth_counts(&file), [5, 23, 108]);
        assert_eq!(file.assessable_count(), 108);
    }

    #[test]
    fn nist_csf_2_0() {
        let file = shipped("nist-csf-2");
        assert_eq!(file.version, "2.0");
        assert_eq!(depth_counts(&file), [6, 22, 106]);
        let functions: Vec<&str> = file
            .requirements
            .iter()
            .filter(|e| e.depth == 1)
            .map(|e| e.reference.as_str())
            .collect();
        assert_eq!(functions, ["GV", "ID", "PR", "DE", "RS", "RC"]);
    }

    #[test]
    fn iso_27001() {
        let file = shipped("iso-27001");
        assert_eq!(file.version, "2022");
        assert_eq!(file.assessable_count(), 93);
        assert_eq!(depth_counts(&file), [4, 93]);
        let themes: Vec<(&str, usize)> = ["A.5", "A.6", "A.7", "A.8"]
            .into_iter()
            .map(|theme| (theme, children_of(&file, theme).len()))
            .collect();
        assert_eq!(themes, [("A.5", 37), ("A.6", 8), ("A.7", 14), ("A.8", 34)]);
    }

    #[test]
    fn flat_catalogues() {
        for (slug, count) in [
            ("owasp-top-10", 10),
            ("cis-controls", 18),
            ("pci-dss", 12),
            ("soc2", 20),
        ] {
            let file = shipped(slug);
            assert_eq!(depth_counts(&file), [count], "{slug}");
            assert_eq!(file.assessable_count(), count, "{slug}");
        }
        let owasp = shipped("owasp-top-10");
        assert_eq!(owasp.requirements[0].reference, "A01");
        assert_eq!(owasp.requirements[9].reference, "A10");
    }

    #[test]
    fn hipaa() {
        let file = shipped("hipaa");
        assert_eq!(file.assessable_count(), 22);
        let sections: Vec<&str> = file
            .requirements
            .iter()
            .filter(|e| e.depth == 1)
            .map(|e| e.reference.as_str())
            .collect();
        assert_eq!(
            sections,
            ["164.308", "164.310", "164.312", "164.314", "164.316"]
        );
    }

    #[test]
    fn gdpr_has_the_core_articles() {
        let file = shipped("gdpr");
        assert!(file.assessable_count() >= 10);
        for article in ["5", "24", "25", "28", "30", "32", "33", "34", "35"] {
            let reference = format!("Art. {article}");
            assert!(
                file.requirements.iter().any(|e| e.reference == reference),
                "{reference} missing"
            );
        }
    }

    #[test]
    fn every_shipped_catalogue_is_valid_and_in_tree_order() {
        for (slug, text) in SHIPPED_CATALOGUES {
            let file = CatalogueFile::parse_json(text).unwrap();
            file.validate().unwrap_or_else(|e| panic!("{slug}: {e}"));
            let ordered = tree_order(&file.requirements);
            assert_eq!(ordered.len(), file.requirements.len());
            let mut seen = HashSet::new();
            for entry in ordered {
                if let Some(parent) = &entry.parent_reference {
                    assert!(
                        seen.contains(parent.as_str()),
                        "{slug}: {} before its parent",
                        entry.reference
                    );
                }
                seen.insert(entry.reference.as_str());
            }
        }
    }

    fn entry(
        reference: &str,
        parent: Option<&str>,
        depth: i32,
        assessable: bool,
    ) -> CatalogueEntry {
        CatalogueEntry {
            reference: reference.to_string(),
            title: format!("Title of {reference}"),
            parent_reference: parent.map(str::to_string),
            depth,
            assessable,
        }
    }

    fn catalogue(requirements: Vec<CatalogueEntry>) -> CatalogueFile {
        CatalogueFile {
            slug: "in-house".to_string(),
            name: "In-house baseline".to_string(),
            version: "1".to_string(),
            issuing_body: "Us".to_string(),
            description: String::new(),
            reference_url: String::new(),
            requirements,
        }
    }

    fn valid_tree() -> Vec<CatalogueEntry> {
        vec![
            entry("A", None, 1, false),
            entry("A.1", Some("A"), 2, true),
            entry("A.2", Some("A"), 2, true),
            entry("B", None, 1, true),
        ]
    }

    fn problems(file: &CatalogueFile) -> Vec<String> {
        file.validate().unwrap_err().problems
    }

    #[test]
    fn a_small_tree_is_valid() {
        catalogue(valid_tree()).validate().unwrap();
    }

    #[test]
    fn duplicate_reference() {
        let mut tree = valid_tree();
        tree.push(entry("A.1", Some("A"), 2, true));
        assert_eq!(
            problems(&catalogue(tree)),
            ["The reference \"A.1\" is used by more than one requirement."]
        );
    }

    #[test]
    fn missing_parent() {
        let mut tree = valid_tree();
        tree.push(entry("C.1", Some("C"), 2, true));
        assert_eq!(
            problems(&catalogue(tree)),
            ["Requirement \"C.1\" names the parent \"C\", which is not in the catalogue."]
        );
    }

    #[test]
    fn cycle() {
        let mut tree = valid_tree();
        tree.push(entry("X", Some("Y"), 2, false));
        tree.push(entry("Y", Some("X"), 3, false));
        assert_eq!(
            problems(&catalogue(tree)),
            ["Requirements \"X\", \"Y\" are each other's ancestors (a parent cycle)."]
        );
        let mut tree = valid_tree();
        tree.push(entry("S", Some("S"), 2, true));
        assert_eq!(
            problems(&catalogue(tree)),
            ["Requirement \"S\" names itself as its parent."]
        );
    }

    #[test]
    fn wrong_depth() {
        let mut tree = valid_tree();
        tree[2].depth = 3;
        tree[3].depth = 2;
        assert_eq!(
            problems(&catalogue(tree)),
            [
                "Requirement \"A.2\" has depth 3, but its parent \"A\" has depth 1, so it must be 2.",
                "Requirement \"B\" has no parent, so its depth must be 1, not 2.",
            ]
        );
    }

    #[test]
    fn assessable_must_match_leaves() {
        let mut tree = valid_tree();
        tree[0].assessable = true;
        tree[3].assessable = false;
        assert_eq!(
            problems(&catalogue(tree)),
            [
                "Requirement \"A\" has sub-requirements, so it cannot be assessable; only leaves are.",
                "Requirement \"B\" has no sub-requirements, so it must be assessable.",
            ]
        );
    }

    #[test]
    fn header_problems_and_all_problems_together() {
        let mut file = catalogue(vec![]);
        file.slug = "In House".to_string();
        file.name = "  ".to_string();
        file.version = String::new();
        let found = problems(&file);
        assert_eq!(
            found,
            [
                "The slug \"In House\" must be 2–63 lower-case letters, digits and single hyphens.",
                "The name is empty.",
                "The version is empty.",
                "The catalogue has no requirements.",
            ]
        );
        let error = file.validate().unwrap_err();
        assert!(error
            .to_string()
            .starts_with("The catalogue is invalid. The slug"));
    }

    #[test]
    fn entry_text_problems() {
        let mut tree = valid_tree();
        tree[1].title = "x".repeat(301);
        tree[2].title = " ".to_string();
        let found = problems(&catalogue(tree));
        assert_eq!(
            found,
            [
                "The title of requirement \"A.1\" is longer than 300 characters.",
                "The title of requirement \"A.2\" is empty.",
            ]
        );
        let mut tree = valid_tree();
        tree[1].title = "x".repeat(300);
        catalogue(tree).validate().unwrap();
    }

    #[test]
    fn malformed_json() {
        let error = CatalogueFile::parse_json("{\"slug\": 3}").unwrap_err();
        assert_eq!(error.problems.len(), 1);
        assert!(error.problems[0]
            .starts_with("The file is not a catalogue in the expected JSON format:"));
        let misspelt = r#"{"slug":"x1","name":"X","version":"1","issuing_body":"","description":"",
            "reference_url":"","requirements":[{"reference":"1","title":"T","parent":null,"depth":1,"assessable":true}]}"#;
        assert!(CatalogueFile::parse_json(misspelt).unwrap_err().problems[0].contains("parent"));
        let minimal = r#"{"slug":"x1","name":"X","version":"1","issuing_body":"","description":"",
            "reference_url":"","requirements":[{"reference":"1","title":"T","depth":1,"assessable":true}]}"#;
        CatalogueFile::parse_json(minimal)
            .unwrap()
            .validate()
            .unwrap();
    }

    #[test]
    fn tree_order_puts_parents_first_and_keeps_sibling_order() {
        let entries = vec![
            entry("A.2", Some("A"), 2, true),
            entry("B", None, 1, true),
            entry("A", None, 1, false),
            entry("A.1.x", Some("A.1"), 3, true),
            entry("A.1", Some("A"), 2, false),
            entry("Z.1", Some("Z"), 2, true),
        ];
        let order: Vec<&str> = tree_order(&entries)
            .iter()
            .map(|e| e.reference.as_str())
            .collect();
        assert_eq!(order, ["B", "A", "A.2", "A.1", "A.1.x", "Z.1"]);
    }

    #[test]
    fn file_round_trips_through_serde() {
        let file = shipped("pci-dss");
        let text = serde_json::to_string(&file).unwrap();
        assert_eq!(CatalogueFile::parse_json(&text).unwrap(), file);
    }
}
