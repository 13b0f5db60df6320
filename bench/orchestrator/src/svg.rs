//! A small hand-written SVG chart: the cumulative distribution of W1's per-iteration
//! latencies, one line per client, on a logarithmic latency axis.

use std::fmt::Write;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 55.0;
/// Points per line at most (the sorted samples are thinned evenly).
const MAX_POINTS: usize = 600;

/// One client's latencies.
#[derive(Debug)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Line colour.
    pub color: &'static str,
    /// Latencies in microseconds, sorted ascending, not empty.
    pub sorted_us: Vec<u64>,
}

/// The chart, as an SVG document; `None` if there is nothing to draw.
pub fn latency_cdf(title: &str, series: &[Series]) -> Option<String> {
    let lo = series.iter().filter_map(|s| s.sorted_us.first()).min()?;
    let hi = series.iter().filter_map(|s| s.sorted_us.last()).max()?;
    // Whole decades around the data, at least one.
    let lo_exp = (*lo.max(&1) as f64).log10().floor();
    let hi_exp = ((*hi.max(&1) as f64).log10().ceil()).max(lo_exp + 1.0);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |us: f64| LEFT + (us.max(1.0).log10() - lo_exp) / (hi_exp - lo_exp) * plot_w;
    let y = |f: f64| TOP + (1.0 - f) * plot_h;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="15">{}</text>"#,
        WIDTH / 2.0,
        escape(title)
    );

    // Grid and ticks: 1, 2, 5 of every decade on x; tenths on y.
    let mut exp = lo_exp;
    while exp < hi_exp + 0.5 {
        for m in [1.0, 2.0, 5.0] {
            let v = m * 10f64.powf(exp);
            if v.log10() > hi_exp + 1e-9 {
                break;
            }
            let px = x(v);
            let major = m == 1.0;
            let _ = writeln!(
                svg,
                r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{:.1}" stroke="{}"/>"##,
                TOP + plot_h,
                if major { "#ccc" } else { "#eee" }
            );
            let _ = writeln!(
                svg,
                r#"<text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                TOP + plot_h + 16.0,
                human_us(v)
            );
        }
        exp += 1.0;
    }
    for i in 0..=10 {
        let f = f64::from(i) / 10.0;
        let py = y(f);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="{}"/>"##,
            LEFT + plot_w,
            if i % 5 == 0 { "#ccc" } else { "#eee" }
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{f:.1}</text>"#,
            LEFT - 6.0,
            py + 4.0
        );
    }
    // The p99 level, where the targets look.
    let _ = writeln!(
        svg,
        r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#888" stroke-dasharray="4 3"/><text x="{2:.1}" y="{3:.1}" text-anchor="end" fill="#666">p99</text>"##,
        y(0.99),
        LEFT + plot_w,
        LEFT + plot_w - 4.0,
        y(0.99) + 14.0
    );
    let _ = writeln!(
        svg,
        r#"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="black"/>"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">latency per iteration, create to destroy done (log scale)</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 12.0
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(18 {:.1}) rotate(-90)" text-anchor="middle">fraction of iterations with latency ≤ x</text>"#,
        TOP + plot_h / 2.0
    );

    for s in series {
        let n = s.sorted_us.len();
        let step = n.div_ceil(MAX_POINTS).max(1);
        let mut points = String::new();
        let indices = (0..n).step_by(step).chain(std::iter::once(n - 1));
        for i in indices {
            let _ = write!(
                points,
                "{:.1},{:.1} ",
                x(s.sorted_us[i] as f64),
                y((i + 1) as f64 / n as f64)
            );
        }
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>"#,
            s.color,
            points.trim_end()
        );
    }

    // Legend, bottom right (where the curves are done climbing).
    let row = 18.0;
    let legend_w = 330.0;
    let legend_x = LEFT + plot_w - legend_w - 10.0;
    let legend_y = TOP + plot_h - 14.0 - row * series.len() as f64;
    let _ = writeln!(
        svg,
        r##"<rect x="{legend_x:.1}" y="{:.1}" width="{legend_w}" height="{:.1}" fill="white" stroke="#999"/>"##,
        legend_y - 4.0,
        row * series.len() as f64 + 8.0
    );
    for (i, s) in series.iter().enumerate() {
        let ly = legend_y + row * i as f64 + row / 2.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            legend_x + 8.0,
            legend_x + 30.0,
            s.color,
            legend_x + 36.0,
            ly + 4.0,
            escape(&s.label)
        );
    }
    svg.push_str("</svg>\n");
    Some(svg)
}

/// `500 µs`, `2 ms`, `1 s`.
fn human_us(us: f64) -> String {
    if us >= 1e6 {
        format!("{} s", us / 1e6)
    } else if us >= 1e3 {
        format!("{} ms", us / 1e3)
    } else {
        format!("{us} µs")
    }
}

/// Text made safe for SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_series_and_nothing_for_none() {
        assert!(latency_cdf("t", &[]).is_none());
        let series = [
            Series {
                label: "a <1>".into(),
                color: "red",
                sorted_us: (100..2000).collect(),
            },
            Series {
                label: "b".into(),
                color: "blue",
                sorted_us: vec![700],
            },
        ];
        let svg = latency_cdf("W1", &series).expect("a chart");
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("a &lt;1&gt;"));
        assert!(svg.contains("100 µs") && svg.contains("1 ms"));
    }
}
