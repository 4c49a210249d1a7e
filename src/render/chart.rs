//! Charts: a unit's figures over the periods as static SVG, written by hand.
//!
//! One series per chart (small multiples rather than one chart of many
//! lines), so a chart printed in black and white on A4 needs no colour or
//! legend to be read: a black line, round white markers and each value
//! printed beside its marker. No script, no external file, no web font;
//! coordinates are rounded to one decimal by one function, so the same
//! figures always give the same bytes. The SVG carries `role="img"`, a
//! `<title>` and a `<desc>` (the text summary) named by `aria-labelledby`;
//! the page puts the numbers beside it as a table.

use std::fmt::Write;

/// The drawing's size in SVG units; the page scales it to its width.
const WIDTH: u64 = 640;
const HEIGHT: u64 = 260;
/// Room around the plot for the axis labels.
const LEFT: u64 = 64;
const RIGHT: u64 = 24;
const TOP: u64 = 24;
const BOTTOM: u64 = 44;
/// Fonts every Chinese office computer or a free system has; no web font.
const FONTS: &str = "Noto Sans CJK SC, Source Han Sans SC, SimHei, 黑体, sans-serif";

/// How the vertical axis runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Counts: zero at the bottom.
    Count,
    /// Ranks among `of` units: first at the top, the last at the bottom.
    Rank { of: u64 },
}

/// One chart: a series of values, one per period.
pub struct Chart<'a> {
    /// Prefix of the ids of the chart's `<title>` and `<desc>`, unique in its page.
    pub id: &'a str,
    pub title: &'a str,
    /// The text summary, read out after the title.
    pub summary: &'a str,
    /// The periods, as the horizontal axis names them.
    pub labels: &'a [String],
    pub values: &'a [u64],
    pub scale: Scale,
}

/// The chart as an SVG element, ready to be put into an HTML page or saved
/// as a file.
pub fn svg(chart: &Chart) -> String {
    let (low, high, ticks) = axis(chart);
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let count = chart.values.len().max(1) as f64;
    let x = |index: usize| LEFT as f64 + plot_width as f64 * (index as f64 + 0.5) / count;
    let y = |value: u64| {
        let span = high.saturating_sub(low).max(1) as f64;
        let share = value.saturating_sub(low) as f64 / span;
        match chart.scale {
            Scale::Count => TOP as f64 + plot_height as f64 * (1.0 - share),
            Scale::Rank { .. } => TOP as f64 + plot_height as f64 * share,
        }
    };
    let id = escape(chart.id);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"{FONTS}\" font-size=\"12\">\n\
         <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        escape(chart.title),
        escape(chart.summary)
    );
    svg.push_str("<g stroke=\"#888\" stroke-width=\"1\" stroke-dasharray=\"2 3\">\n");
    for tick in &ticks {
        let at = number(y(*tick));
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{at}\" x2=\"{}\" y2=\"{at}\"/>",
            WIDTH - RIGHT
        );
    }
    svg.push_str("</g>\n<g text-anchor=\"end\" fill=\"#000\">\n");
    for tick in &ticks {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\">{tick}</text>",
            LEFT - 8,
            number(y(*tick) + 4.0)
        );
    }
    let _ = write!(
        svg,
        "</g>\n<path d=\"M{LEFT} {TOP}V{}H{}\" fill=\"none\" stroke=\"#000\" stroke-width=\"1\"/>\n",
        HEIGHT - BOTTOM,
        WIDTH - RIGHT
    );
    let points: Vec<String> = chart
        .values
        .iter()
        .enumerate()
        .map(|(index, value)| format!("{},{}", number(x(index)), number(y(*value))))
        .collect();
    let _ = writeln!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>",
        points.join(" ")
    );
    svg.push_str("<g fill=\"#fff\" stroke=\"#000\" stroke-width=\"2\">\n");
    for (index, value) in chart.values.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\"/>",
            number(x(index)),
            number(y(*value))
        );
    }
    svg.push_str("</g>\n<g text-anchor=\"middle\" fill=\"#000\">\n");
    for (index, value) in chart.values.iter().enumerate() {
        // The value above its marker, or below it at the top of the plot.
        let at = y(*value);
        let label_y = if at - 10.0 < TOP as f64 {
            at + 18.0
        } else {
            at - 10.0
        };
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\">{value}</text>",
            number(x(index)),
            number(label_y)
        );
    }
    for (index, label) in chart.labels.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            number(x(index)),
            HEIGHT - BOTTOM + 18,
            escape(label)
        );
    }
    svg.push_str("</g>\n</svg>");
    svg
}

/// The axis: its lowest and highest value and the values to mark.
fn axis(chart: &Chart) -> (u64, u64, Vec<u64>) {
    match chart.scale {
        Scale::Count => {
            let largest = chart.values.iter().copied().max().unwrap_or(0);
            let step = step(largest);
            let top = largest.div_ceil(step).max(1).saturating_mul(step);
            let ticks = (0..=top / step).map(|tick| tick * step).collect();
            (0, top, ticks)
        }
        Scale::Rank { of } => {
            let of = of.max(1);
            let step = step(of);
            let mut ticks = vec![1];
            ticks.extend((1..=of / step).map(|tick| tick * step).filter(|&t| t > 1));
            if ticks.last() != Some(&of) {
                ticks.push(of);
            }
            (1, of, ticks)
        }
    }
}

/// A round step (1, 2 or 5 times a power of ten) that marks `largest` with
/// at most five steps.
fn step(largest: u64) -> u64 {
    let mut power = 1_u64;
    loop {
        for factor in [1, 2, 5] {
            let step = power.saturating_mul(factor);
            if largest.div_ceil(step) <= 5 || step == u64::MAX {
                return step;
            }
        }
        power = power.saturating_mul(10);
    }
}

/// A coordinate with at most one decimal, `12` rather than `12.0`.
fn number(value: f64) -> String {
    let text = format!("{value:.1}");
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => text,
    }
}

/// Text made safe for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_have_round_steps() {
        assert_eq!(step(0), 1);
        assert_eq!(step(5), 1);
        assert_eq!(step(9), 2);
        assert_eq!(step(421), 100);
        let labels = vec!["1月".to_string(), "2月".to_string()];
        let chart = Chart {
            id: "c",
            title: "名次",
            summary: "",
            labels: &labels,
            values: &[3, 1],
            scale: Scale::Rank { of: 14 },
        };
        assert_eq!(axis(&chart).2, vec![1, 5, 10, 14]);
    }

    #[test]
    fn the_same_figures_give_the_same_bytes_and_text_is_escaped() {
        let labels = vec!["a<b".to_string()];
        let chart = Chart {
            id: "x",
            title: "甲&乙",
            summary: "共1期",
            labels: &labels,
            values: &[7],
            scale: Scale::Count,
        };
        let first = svg(&chart);
        assert_eq!(first, svg(&chart));
        assert!(first.contains("<title id=\"x-title\">甲&amp;乙</title>"));
        assert!(first.contains(">a&lt;b</text>"));
    }
}
