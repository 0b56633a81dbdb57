//! Server-rendered SVG bar charts: no script, no external asset, and the
//! numbers written on the bars and in the chart's description (never colour
//! or length alone).

use maud::{Markup, html};

/// One bar: its label under it and its count above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub count: u32,
}

const WIDTH: u32 = 300;
const HEIGHT: u32 = 180;
const TOP: u32 = 22;
const BOTTOM: u32 = 34;

/// A vertical bar chart titled `title`; `class` picks the bars' colour
/// (`bars-thesis`, …) in the stylesheet.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar], class: &str) -> Markup {
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let n = bars.len().max(1) as u32;
    let slot = WIDTH / n;
    let bar_width = (slot * 2 / 3).max(4);
    let plot = HEIGHT - TOP - BOTTOM;
    let description = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, b.count))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        figure.chart {
            svg class=(format!("bars {class}")) viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) xmlns="http://www.w3.org/2000/svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                line.axis x1="0" y1=(HEIGHT - BOTTOM) x2=(WIDTH) y2=(HEIGHT - BOTTOM) {}
                @for (i, bar) in bars.iter().enumerate() {
                    @let height = bar.count * plot / max;
                    @let x = i as u32 * slot + (slot - bar_width) / 2;
                    @let centre = i as u32 * slot + slot / 2;
                    rect.bar x=(x) y=(HEIGHT - BOTTOM - height) width=(bar_width) height=(height) {}
                    text.count x=(centre) y=(HEIGHT - BOTTOM - height - 5) text-anchor="middle" { (bar.count) }
                    text.axis-label x=(centre) y=(HEIGHT - BOTTOM + 16) text-anchor="middle" { (bar.label) }
                }
            }
            figcaption { (title) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_writes_every_count_and_label_as_text() {
        let bars = [
            Bar {
                label: "0".into(),
                count: 0,
            },
            Bar {
                label: "3".into(),
                count: 12,
            },
        ];
        let svg = bar_chart("c1", "Thesis levels", &bars, "bars-thesis").into_string();
        assert!(svg.contains("<desc id=\"c1-desc\">0: 0, 3: 12</desc>"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(">12</text>"));
    }

    #[test]
    fn an_empty_chart_renders() {
        let svg = bar_chart("c2", "Bands", &[], "bars-band").into_string();
        assert!(svg.contains("<svg"));
    }
}
