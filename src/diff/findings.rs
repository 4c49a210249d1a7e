//! The findings of a period compared: those added, those removed, and
//! those whose re-check (status, date, note) or other details changed.
//!
//! A finding is the same on both sides when its unit, portal column and
//! problem are (compared as [`normalize`] compares names); a reworded
//! problem is therefore one finding removed and another added. Two
//! findings alike on one side are paired with the other side's in file
//! order.

use std::collections::{BTreeMap, BTreeSet};

use super::{Change, Presence};
use crate::import::normalize;
use crate::model::Finding;

/// One finding added, removed, or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingDiff {
    pub presence: Presence,
    pub unit: String,
    pub column: String,
    pub problem: String,
    /// Added or removed: the finding's details (category, dates, status);
    /// changed: what changed.
    pub details: Vec<Change>,
}

/// What makes two findings the same one.
fn identity(finding: &Finding) -> (String, String, String) {
    (
        normalize(&finding.unit.value),
        normalize(&finding.column),
        normalize(&finding.problem),
    )
}

/// The details a review reads, by their headers in the 问题清单.
fn details(finding: &Finding) -> Vec<(&'static str, Option<String>)> {
    let text = |value: &str| (!value.is_empty()).then(|| value.to_string());
    vec![
        ("问题类型", Some(finding.category.value.clone())),
        ("网址", finding.url.clone()),
        ("发现日期", Some(finding.found.value.to_string())),
        (
            "整改情况",
            finding.status.as_ref().map(|status| status.value.clone()),
        ),
        (
            "复查日期",
            finding.checked.as_ref().map(|date| date.value.to_string()),
        ),
        ("复查说明", text(&finding.note)),
    ]
}

/// The findings that differ: the new side's in file order (added or
/// changed), then those removed in the old side's order.
pub fn compare(old: &[Finding], new: &[Finding]) -> Vec<FindingDiff> {
    let mut unmatched: BTreeMap<_, Vec<&Finding>> = BTreeMap::new();
    for finding in old.iter().rev() {
        unmatched
            .entry(identity(finding))
            .or_default()
            .push(finding);
    }
    let mut diffs = Vec::new();
    for finding in new {
        let before = unmatched
            .get_mut(&identity(finding))
            .and_then(|alike| alike.pop());
        match before {
            Some(before) => {
                let changes: Vec<Change> = details(before)
                    .into_iter()
                    .zip(details(finding))
                    .filter(|((_, old), (_, new))| old != new)
                    .map(|((what, old), (_, new))| Change {
                        what: what.to_string(),
                        old,
                        new,
                    })
                    .collect();
                if !changes.is_empty() {
                    diffs.push(described(Presence::Both, finding, changes));
                }
            }
            None => diffs.push(whole(Presence::Added, finding)),
        }
    }
    let left: BTreeSet<*const Finding> = unmatched
        .into_values()
        .flatten()
        .map(std::ptr::from_ref)
        .collect();
    for finding in old {
        if left.contains(&std::ptr::from_ref(finding)) {
            diffs.push(whole(Presence::Removed, finding));
        }
    }
    diffs
}

/// An added or removed finding with the details it has.
fn whole(presence: Presence, finding: &Finding) -> FindingDiff {
    let changes = details(finding)
        .into_iter()
        .filter_map(|(what, value)| {
            let value = value?;
            let (old, new) = match presence {
                Presence::Removed => (Some(value), None),
                Presence::Added | Presence::Both => (None, Some(value)),
            };
            Some(Change {
                what: what.to_string(),
                old,
                new,
            })
        })
        .collect();
    described(presence, finding, changes)
}

fn described(presence: Presence, finding: &Finding, details: Vec<Change>) -> FindingDiff {
    FindingDiff {
        presence,
        unit: finding.unit.value.clone(),
        column: finding.column.clone(),
        problem: finding.problem.clone(),
        details,
    }
}
