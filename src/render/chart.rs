//! Charts: a unit's figures over the periods as static SVG, written by hand.
//!
//! One series per chart (small multiples rather than one chart of many
//! lines), so a chart printed in black and white on A4 needs no colour or
//! legend to be read: a black line, round white markers and each value
//! printed beside its marker. The chart draws only what it has room for
//! (`Room`): with many periods, the markers and the values give way to the
//! line alone, and the periods under the axis are named at a regular
//! step ending at the newest one, so a unit's page stays legible, and its
//! size grows by a few bytes per period rather than a hundred. No script,
//! no external file, no web font; coordinates are rounded to one decimal
//! by one function, so the same figures always give the same bytes. The
//! SVG carries `role="img"`, a `<title>` and a `<desc>` (the text summary)
//! named by `aria-labelledby`; every number it draws is in the page's
//! history table.

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
/// The horizontal room a marker needs: its circle (radius 4, stroke 2)
/// and a gap, so neighbouring markers do not touch.
const MARKER_ROOM: f64 = 12.0;
/// Advance widths at the labels' font size (11): a Chinese character is
/// square; digits, Latin letters and punctuation are at most 0.6 em.
const WIDE_CHARACTER: f64 = 11.0;
const NARROW_CHARACTER: f64 = 6.6;
/// The least space kept between two labels on a line.
const LABEL_GAP: f64 = 6.0;

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
    let spacing = plot_width as f64 / count;
    let room = Room::for_chart(chart, spacing);
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
        let at = Number(y(*tick));
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
            Number(y(*tick) + 4.0)
        );
    }
    let _ = write!(
        svg,
        "</g>\n<path d=\"M{LEFT} {TOP}V{}H{}\" fill=\"none\" stroke=\"#000\" stroke-width=\"1\"/>\n",
        HEIGHT - BOTTOM,
        WIDTH - RIGHT
    );
    // Each point's coordinates are written several times; format them once.
    let xs: Vec<String> = (0..chart.values.len())
        .map(|index| Number(x(index)).to_string())
        .collect();
    let ys: Vec<String> = chart
        .values
        .iter()
        .map(|value| Number(y(*value)).to_string())
        .collect();
    svg.push_str("<polyline points=\"");
    for (index, (x, y)) in xs.iter().zip(&ys).enumerate() {
        if index > 0 {
            svg.push(' ');
        }
        let _ = write!(svg, "{x},{y}");
    }
    // Without markers the line is all there is: a thinner one keeps a
    // crowded course from running into a solid band.
    let line_width = if room.markers { 2 } else { 1 };
    let _ = writeln!(
        svg,
        "\" fill=\"none\" stroke=\"#000\" stroke-width=\"{line_width}\"/>"
    );
    if room.markers {
        svg.push_str("<g fill=\"#fff\" stroke=\"#000\" stroke-width=\"2\">\n");
        for (x, y) in xs.iter().zip(&ys) {
            let _ = writeln!(svg, "<circle cx=\"{x}\" cy=\"{y}\" r=\"4\"/>");
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("<g text-anchor=\"middle\" fill=\"#000\">\n");
    if room.values {
        for (x, value) in xs.iter().zip(chart.values) {
            // The value above its marker, or below it at the top of the plot.
            let at = y(*value);
            let label_y = if at - 10.0 < TOP as f64 {
                at + 18.0
            } else {
                at - 10.0
            };
            let _ = writeln!(
                svg,
                "<text x=\"{x}\" y=\"{}\" font-size=\"11\">{value}</text>",
                Number(label_y)
            );
        }
    }
    for (index, label) in chart.labels.iter().enumerate() {
        if !room.names_period(index, chart.labels.len()) {
            continue;
        }
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            Number(label_x(x(index), label)),
            HEIGHT - BOTTOM + 18,
            escape(label)
        );
    }
    svg.push_str("</g>\n</svg>");
    svg
}

/// What a chart has room to draw, from the horizontal space between two
/// neighbouring points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Room {
    /// A marker on every point.
    markers: bool,
    /// Every value printed above its point.
    values: bool,
    /// Every how many periods one is named under the axis (1: all).
    label_step: usize,
}

impl Room {
    fn for_chart(chart: &Chart, spacing: f64) -> Room {
        let widest_value = chart
            .values
            .iter()
            .map(|value| text_width(&value.to_string()))
            .fold(0.0, f64::max);
        let widest_label = chart
            .labels
            .iter()
            .map(|label| text_width(label))
            .fold(0.0, f64::max);
        let markers = spacing >= MARKER_ROOM;
        Room {
            markers,
            values: markers && spacing >= widest_value + LABEL_GAP,
            // The newest label may be moved left to stay in the drawing
            // (`label_x`), so keep that much more room before it.
            label_step: steps_for(widest_label + LABEL_GAP + overhang(widest_label), spacing),
        }
    }

    /// Whether the period at `index` of `count` is named under the axis:
    /// every `label_step`-th one, counted back from the newest, which is
    /// always named.
    fn names_period(self, index: usize, count: usize) -> bool {
        count
            .saturating_sub(index + 1)
            .is_multiple_of(self.label_step)
    }
}

/// How many points apart two labels `width` wide must be, with `spacing`
/// between neighbouring points.
fn steps_for(width: f64, spacing: f64) -> usize {
    if spacing <= 0.0 || !spacing.is_finite() {
        return 1;
    }
    // At least 1; a chart holds at most a few thousand points, so the cast
    // cannot overflow.
    (width / spacing).ceil().max(1.0) as usize
}

/// Where a period's label is centred: under its point, or as far right as
/// the drawing lets it be read whole.
fn label_x(point: f64, label: &str) -> f64 {
    point.min(WIDTH as f64 - text_width(label) / 2.0)
}

/// How far a label `width` wide, centred under the rightmost point, would
/// reach beyond the drawing.
fn overhang(width: f64) -> f64 {
    (width / 2.0 - RIGHT as f64).max(0.0)
}

/// The width `text` takes at the labels' font size, by the widths above.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|character| {
            if character.is_ascii() {
                NARROW_CHARACTER
            } else {
                WIDE_CHARACTER
            }
        })
        .sum()
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

/// A coordinate with at most one decimal, `12` rather than `12.0`: what
/// `format!("{value:.1}")` gives with a trailing `.0` cut.
///
/// Most coordinates are written as whole tenths by integer formatting:
/// when `value × 10` is below 10⁹ and more than a millionth away from a
/// tie, rounding the product (whose error is at most half a unit in the
/// last place, under 10⁻⁶ there) gives the same tenth as rounding the
/// exact value, which is what the float
/// formatting does. Ties, negative, huge and non-finite values take the
/// float formatting itself, so the bytes never change.
struct Number(f64);

impl std::fmt::Display for Number {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = self.0 * 10.0;
        let rounded = tenths.round();
        let clear_of_a_tie = (tenths - rounded).abs() < 0.499_999;
        if tenths.is_sign_positive() && tenths < 1e9 && clear_of_a_tie {
            // In range and non-negative, so the cast is exact.
            let tenths = rounded as u64;
            return match tenths % 10 {
                0 => write!(formatter, "{}", tenths / 10),
                tenth => write!(formatter, "{}.{tenth}", tenths / 10),
            };
        }
        let text = format!("{:.1}", self.0);
        formatter.write_str(text.strip_suffix(".0").unwrap_or(&text))
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

    /// What `Number` must write: the float formatting, `.0` cut.
    fn formatted(value: f64) -> String {
        let text = format!("{value:.1}");
        text.strip_suffix(".0").unwrap_or(&text).to_string()
    }

    #[test]
    fn coordinates_are_written_as_the_float_formatting_writes_them() {
        let mut values = vec![
            0.0,
            -0.0,
            -0.04,
            -3.5,
            0.05,
            0.25,
            12.25,
            1e9,
            1e12,
            f64::NAN,
        ];
        // Ties (exact in binary) and their neighbours, and every chart's
        // shape of coordinates: 64 + 552 × (i + ½) ÷ n, 24 + 192 × share.
        for tenths in 0..20_000_u32 {
            let tie = f64::from(tenths) / 10.0 + 0.05;
            values.extend([tie, tie.next_up(), tie.next_down()]);
        }
        for count in 1..=120_u32 {
            for index in 0..count {
                let share = (f64::from(index) + 0.5) / f64::from(count);
                values.push(64.0 + 552.0 * share);
                values.push(24.0 + 192.0 * (1.0 - share));
            }
        }
        for value in values {
            assert_eq!(Number(value).to_string(), formatted(value), "{value:e}");
        }
    }

    /// The markers, the printed values and the named periods of a chart
    /// of `count` monthly periods, and the centres of the named periods.
    fn drawn(count: u32) -> (usize, usize, Vec<(f64, String)>) {
        let labels: Vec<String> = (0..count)
            .map(|index| format!("{}年{}月份", 3000 + index / 12, index % 12 + 1))
            .collect();
        let values: Vec<u64> = (0..u64::from(count))
            .map(|index| index * 37 % 500)
            .collect();
        let text = svg(&Chart {
            id: "c",
            title: "信息公开",
            summary: "",
            labels: &labels,
            values: &values,
            scale: Scale::Count,
        });
        let document = roxmltree::Document::parse(&text).unwrap();
        let markers = document
            .descendants()
            .filter(|node| node.has_tag_name("circle"))
            .count();
        let small: Vec<roxmltree::Node> = document
            .descendants()
            .filter(|node| node.has_tag_name("text") && node.attribute("font-size") == Some("11"))
            .collect();
        let printed = small
            .iter()
            .filter(|node| node.text().is_some_and(|text| text.parse::<u64>().is_ok()))
            .count();
        let named = small
            .iter()
            .filter_map(|node| {
                let text = node.text()?;
                let x = node.attribute("x")?.parse().ok()?;
                text.contains('年').then(|| (x, text.to_string()))
            })
            .collect();
        (markers, printed, named)
    }

    #[test]
    fn a_chart_with_room_marks_prints_and_names_every_period() {
        let (markers, printed, named) = drawn(6);
        assert_eq!((markers, printed, named.len()), (6, 6, 6));
    }

    #[test]
    fn a_crowded_chart_draws_the_line_and_names_periods_at_a_step() {
        for count in [60, 120, 1000] {
            let (markers, printed, named) = drawn(count);
            assert_eq!((markers, printed), (0, 0), "{count} periods");
            // The newest period is always named; no two names overlap and
            // none leaves the drawing.
            let newest = format!("{}年{}月份", 3000 + (count - 1) / 12, (count - 1) % 12 + 1);
            assert_eq!(named.last().map(|(_, text)| text.clone()), Some(newest));
            assert!(named.len() >= 4, "{count} periods: {}", named.len());
            for pair in named.windows(2) {
                let room = (text_width(&pair[0].1) + text_width(&pair[1].1)) / 2.0;
                assert!(pair[1].0 - pair[0].0 >= room, "{count}: {pair:?}");
            }
            for (x, text) in &named {
                assert!(
                    x + text_width(text) / 2.0 <= WIDTH as f64,
                    "{count}: {text} at {x}"
                );
                assert!(x - text_width(text) / 2.0 >= 0.0, "{count}: {text} at {x}");
            }
        }
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
