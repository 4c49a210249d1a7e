//! How dates and points are written in everything tongbao publishes and
//! says: a leaf, so the figures, the findings, the pages and the messages
//! write them alike.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// Points as the seed prints them: `2.5`, never `2.50` or `2.5000`.
pub fn format_points(points: Decimal) -> String {
    points.normalize().to_string()
}

/// A date in the form GB/T 9704 prescribes: `2019年6月5日`, no leading zeros.
pub fn format_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}
