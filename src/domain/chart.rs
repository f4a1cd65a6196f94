//! The pie chart of app versions on the Active Devices page (docs/behaviour.md#active-devices-page), drawn on the server as
//! SVG paths: readable without JavaScript, and the legend beside it carries the same
//! figures in text for screen readers.

/// Colours that stay apart for common colour-vision deficiencies (Okabe–Ito), then grey.
const COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];
const OTHER_COLOUR: &str = "#9CA3AF";

#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    pub label: String,
    pub count: u64,
    /// Share in whole per cent, for the legend.
    pub percent: u64,
    pub colour: &'static str,
    /// SVG path of the slice in a circle of radius 1 around (0, 0); empty when the slice is
    /// the whole circle (draw a circle then).
    pub path: String,
}

/// Slices for `(label, count)` pairs, largest first as given; beyond eight, the rest are
/// one "Other" slice.
pub fn pie(counts: &[(String, u64)]) -> Vec<Slice> {
    let total: u64 = counts.iter().map(|(_, c)| c).sum();
    if total == 0 {
        return Vec::new();
    }
    let mut groups: Vec<(String, u64, &'static str)> = counts
        .iter()
        .take(COLOURS.len())
        .zip(COLOURS)
        .map(|((label, count), colour)| (label.clone(), *count, colour))
        .collect();
    let rest: u64 = counts.iter().skip(COLOURS.len()).map(|(_, c)| c).sum();
    if rest > 0 {
        groups.push(("Other".to_owned(), rest, OTHER_COLOUR));
    }
    let mut start = 0.0_f64;
    groups
        .into_iter()
        .filter(|(_, count, _)| *count > 0)
        .map(|(label, count, colour)| {
            let share = count as f64 / total as f64;
            let end = start + share;
            let path = if count == total {
                String::new()
            } else {
                arc(start, end)
            };
            start = end;
            Slice {
                label,
                count,
                percent: (share * 100.0).round() as u64,
                colour,
                path,
            }
        })
        .collect()
}

/// A wedge from `from` to `to` (fractions of a turn, clockwise from 12 o'clock).
fn arc(from: f64, to: f64) -> String {
    let point = |turn: f64| {
        let angle = turn * std::f64::consts::TAU;
        (angle.sin(), -angle.cos())
    };
    let (x1, y1) = point(from);
    let (x2, y2) = point(to);
    let large = if to - from > 0.5 { 1 } else { 0 };
    format!("M0 0 L{x1:.4} {y1:.4} A1 1 0 {large} 1 {x2:.4} {y2:.4} Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(l, c)| ((*l).to_owned(), *c)).collect()
    }

    #[test]
    fn slices_share_the_circle_by_count() {
        let slices = pie(&counts(&[("5.2", 3), ("5.1", 1)]));
        assert_eq!(slices.len(), 2);
        assert_eq!((slices[0].percent, slices[1].percent), (75, 25));
        assert!(
            slices[0].path.contains(" A1 1 0 1 1 "),
            "three quarters take the long arc"
        );
        assert!(slices[1].path.contains(" A1 1 0 0 1 "));
    }

    #[test]
    fn one_version_is_the_whole_circle_and_nothing_is_no_chart() {
        let slices = pie(&counts(&[("5.2", 7)]));
        assert_eq!((slices[0].percent, slices[0].path.as_str()), (100, ""));
        assert!(pie(&[]).is_empty());
    }

    #[test]
    fn beyond_eight_versions_the_rest_is_other() {
        let many: Vec<(String, u64)> = (0..12).map(|n| (format!("1.{n}"), 12 - n)).collect();
        let slices = pie(&many);
        assert_eq!(slices.len(), 9);
        assert_eq!(slices[8].label, "Other");
        assert_eq!(slices[8].count, 4 + 3 + 2 + 1);
    }
}
