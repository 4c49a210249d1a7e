//! Validate: the cross-references and sanity rules that loading cannot see
//! one file at a time. Finds every problem, never stops at the first.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, Diagnostics, Located};
use crate::figures::closest;
use crate::load::Content;
use crate::load::UNIT_KEY;
use crate::model::{ColumnKind, Period, Schema, Site, Table};

/// Figure namespaces a table id would shadow.
const RESERVED_IDS: [&str; 6] = ["period", "site", "figures", "rules", "totals", "table"];

pub fn validate(content: &Content, diagnostics: &mut Diagnostics) {
    validate_site(&content.site, diagnostics);
    for period in &content.periods {
        validate_period(&content.site, period, diagnostics);
    }
}

fn validate_site(site: &Site, diagnostics: &mut Diagnostics) {
    let mut ids = BTreeSet::new();
    for schema in &site.tables {
        let id = &schema.id;
        if !ids.insert(id.value.as_str()) {
            diagnostics
                .push(Diagnostic::error(format!("表格编号 “{}” 重复", id.value)).at(&id.location));
        }
        if RESERVED_IDS.contains(&id.value.as_str()) || id.value.contains('.') {
            diagnostics.push(
                Diagnostic::error(format!("表格编号 “{}” 不可用", id.value))
                    .at(&id.location)
                    .hint(format!(
                        "编号不能含 “.”，也不能是 {}",
                        RESERVED_IDS.join("、")
                    )),
            );
        }
        validate_schema(site, schema, diagnostics);
    }
}

fn validate_schema(site: &Site, schema: &Schema, diagnostics: &mut Diagnostics) {
    let keys: Vec<&str> = schema
        .columns
        .iter()
        .map(|c| c.key.value.as_str())
        .collect();
    let mut seen = BTreeSet::new();
    for column in &schema.columns {
        let key = &column.key;
        if !seen.insert(key.value.as_str()) {
            diagnostics
                .push(Diagnostic::error(format!("列 “{}” 重复", key.value)).at(&key.location));
        }
        if key.value == UNIT_KEY || key.value == "sum" || key.value == "units" {
            diagnostics.push(
                Diagnostic::error(format!("列名 “{}” 是保留字", key.value)).at(&key.location),
            );
        }
        if let ColumnKind::Score { rule } = &column.kind {
            validate_rule_reference(site, schema, rule, diagnostics);
        }
    }
    expect_column(&keys, &schema.sort.column, diagnostics);
    let mut grouped = BTreeSet::new();
    for group in &schema.groups {
        for key in &group.columns {
            expect_column(&keys, key, diagnostics);
            if !grouped.insert(key.value.as_str()) {
                diagnostics.push(
                    Diagnostic::error(format!("列 “{}” 已属于另一个表头分组", key.value))
                        .at(&key.location),
                );
            }
        }
        let positions: Vec<usize> = group
            .columns
            .iter()
            .filter_map(|key| keys.iter().position(|k| *k == key.value))
            .collect();
        let contiguous = positions.windows(2).all(|pair| pair[1] == pair[0] + 1);
        if !contiguous {
            diagnostics.push(
                Diagnostic::error(format!(
                    "表头分组 “{}” 的列不相邻或顺序与 columns 不同",
                    group.label
                ))
                .at(&group.location)
                .hint("分组按 columns 的顺序列出相邻的列"),
            );
        }
    }
}

fn validate_rule_reference(
    site: &Site,
    schema: &Schema,
    rule: &Located<String>,
    diagnostics: &mut Diagnostics,
) {
    let Some(found) = site.rules.get(&rule.value) else {
        let mut diagnostic =
            Diagnostic::error(format!("未知的计分规则 “{}”", rule.value)).at(&rule.location);
        if let Some(near) = closest(&rule.value, site.rules.keys().map(String::as_str)) {
            diagnostic = diagnostic.hint(format!("是否应为 {near}？"));
        }
        diagnostics.push(diagnostic);
        return;
    };
    for (key, points) in &found.points {
        let is_count = matches!(schema.column(key).map(|c| &c.kind), Some(ColumnKind::Count));
        if !is_count {
            diagnostics.push(
                Diagnostic::error(format!(
                    "计分规则 “{}” 用到的列 “{key}” 不是表格 “{}” 的计数列",
                    found.key, schema.id.value
                ))
                .at(&points.location),
            );
        }
    }
}

fn expect_column(keys: &[&str], key: &Located<String>, diagnostics: &mut Diagnostics) {
    if keys.contains(&key.value.as_str()) {
        return;
    }
    let mut diagnostic = Diagnostic::error(format!("未知的列 “{}”", key.value)).at(&key.location);
    if let Some(near) = closest(&key.value, keys.iter().copied()) {
        diagnostic = diagnostic.hint(format!("是否应为 {near}？"));
    }
    diagnostics.push(diagnostic);
}

fn validate_period(site: &Site, period: &Period, diagnostics: &mut Diagnostics) {
    let window = &period.window;
    if window.end.value < window.start.value {
        diagnostics
            .push(Diagnostic::error("数据采集截止日期早于开始日期").at(&window.end.location));
    }
    if window.issued.value < window.end.value {
        diagnostics
            .push(Diagnostic::warning("成文日期早于数据采集截止日期").at(&window.issued.location));
    }
    for table in &period.tables {
        match site.schema(&table.id.value) {
            Some(schema) => validate_table(schema, table, diagnostics),
            None => {
                let ids = site.tables.iter().map(|s| s.id.value.as_str());
                let mut diagnostic =
                    Diagnostic::error(format!("site.toml 中没有表格 “{}” 的定义", table.id.value))
                        .at(&table.id.location);
                if let Some(near) = closest(&table.id.value, ids) {
                    diagnostic = diagnostic.hint(format!("是否应为 {near}？"));
                }
                diagnostics.push(diagnostic);
            }
        }
    }
    for attachment in &period.notice.attachments {
        if period.table(&attachment.value).is_none() || site.schema(&attachment.value).is_none() {
            diagnostics.push(
                Diagnostic::error(format!("附件 “{}” 不是本期的表格", attachment.value))
                    .at(&attachment.location)
                    .hint("attachments 列出 data.toml 中 [tables.编号] 的编号"),
            );
        }
    }
}

fn validate_table(schema: &Schema, table: &Table, diagnostics: &mut Diagnostics) {
    let mut names: BTreeMap<&str, &Located<String>> = BTreeMap::new();
    for unit in &table.units {
        if let Some(first) = names.insert(unit.name.value.as_str(), &unit.name) {
            diagnostics.push(
                Diagnostic::error(format!("单位 “{}” 在表格中出现两次", unit.name.value))
                    .at(&unit.name.location)
                    .hint(format!(
                        "第一次出现在 {}",
                        diagnostics.position(&first.location)
                    )),
            );
        }
        for (key, count) in &unit.counts {
            match schema.column(key).map(|c| &c.kind) {
                Some(ColumnKind::Count) => {}
                Some(ColumnKind::Score { .. }) => diagnostics.push(
                    Diagnostic::error(format!("“{key}” 由计分规则算出，不应填写"))
                        .at(&count.location),
                ),
                None => diagnostics.push(unknown_column(schema, key, &count.location)),
            }
        }
        for column in &schema.columns {
            let required = matches!(column.kind, ColumnKind::Count) && !column.optional;
            if required && !unit.counts.contains_key(&column.key.value) {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "单位 “{}” 缺少 “{}”（{}）",
                        unit.name.value, column.key.value, column.label
                    ))
                    .at(&unit.location),
                );
            }
        }
    }
    for (key, declared) in &table.declared {
        if schema.column(key).is_none() {
            diagnostics.push(unknown_column(schema, key, &declared.location));
        }
    }
    reconcile(schema, table, diagnostics);
}

fn unknown_column(
    schema: &Schema,
    key: &str,
    location: &crate::diagnostics::Location,
) -> Diagnostic {
    let keys = schema.columns.iter().map(|c| c.key.value.as_str());
    let mut diagnostic =
        Diagnostic::error(format!("表格 “{}” 没有列 “{key}”", schema.id.value)).at(location);
    if let Some(near) = closest(key, keys) {
        diagnostic = diagnostic.hint(format!("是否应为 {near}？"));
    }
    diagnostic
}

/// Warns where a total the backend declared differs from the sum of the rows.
fn reconcile(schema: &Schema, table: &Table, diagnostics: &mut Diagnostics) {
    for (key, declared) in &table.declared {
        let Some(column) = schema.column(key) else {
            continue;
        };
        let sum: u64 = table.units.iter().map(|unit| unit.count(key)).sum();
        if sum != declared.value {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "表格 “{}” 的 “{}” 列：后台申报合计 {}，各行相加为 {sum}",
                    schema.id.value, column.label, declared.value
                ))
                .at(&declared.location)
                .label(format!("与各行合计相差 {}", declared.value.abs_diff(sum)))
                .hint("核对后台数据；正文引用的是申报合计"),
            );
        }
    }
}
