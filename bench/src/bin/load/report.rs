//! Medians, ranges and ratios of alternating runs, as a Markdown table.

/// One figure measured over several runs of both systems.
pub struct Row {
    /// What was measured.
    pub shape: String,
    /// Its unit.
    pub unit: &'static str,
    /// tinyim's figure, one per run.
    pub tinyim: Vec<f64>,
    /// mosquitto's figure, one per run (empty for tinyim-only shapes).
    pub mosquitto: Vec<f64>,
    /// Whether a higher figure is better (throughput) or lower (latency, memory).
    pub higher_is_better: bool,
    /// The goal, as text.
    pub goal: &'static str,
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn range(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

fn figure(values: &[f64]) -> String {
    if values.is_empty() {
        return "-".into();
    }
    let (lo, hi) = range(values);
    format!("{:.0} ({:.0}-{:.0})", median(values), lo, hi)
}

impl Row {
    /// tinyim over mosquitto per run (paired by run), oriented so that
    /// above 1.0 means tinyim did better.
    fn ratios(&self) -> Vec<f64> {
        self.tinyim
            .iter()
            .zip(&self.mosquitto)
            .map(|(t, m)| if self.higher_is_better { t / m } else { m / t })
            .collect()
    }
}

/// The table, with a header.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| shape | unit | tinyim median (range) | mosquitto median (range) | tinyim advantage median (range) | goal |\n|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let ratios = row.ratios();
        let ratio = if ratios.is_empty() {
            "-".into()
        } else {
            let (lo, hi) = range(&ratios);
            format!("{:.2}x ({:.2}-{:.2})", median(&ratios), lo, hi)
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            row.shape,
            row.unit,
            figure(&row.tinyim),
            figure(&row.mosquitto),
            ratio,
            row.goal
        ));
    }
    out
}

/// A figure of the machine itself, measured in the same run, that bounds
/// what the systems can do (the disk's durable write).
pub struct Reference {
    /// What was measured.
    pub what: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// One figure per run.
    pub values: Vec<f64>,
}

/// The machine's reference figures, as a table; empty when none was measured.
pub fn references(refs: &[Reference]) -> String {
    let measured: Vec<&Reference> = refs.iter().filter(|r| !r.values.is_empty()).collect();
    if measured.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n| the machine | unit | median (range) |\n|---|---|---|\n");
    for r in measured {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            r.what,
            r.unit,
            figure(&r.values)
        ));
    }
    out
}

/// One shape's figures on each setup of the stores comparison, one per run.
pub struct StoreRow {
    /// What was measured.
    pub shape: String,
    /// Its unit.
    pub unit: &'static str,
    /// Whether a higher figure is better.
    pub higher_is_better: bool,
    /// Per setup (in [`crate::stores::Setup::ALL`]'s order), one per run.
    pub values: [Vec<f64>; 3],
}

/// The stores comparison as a table: each setup's median (range), and the
/// PostgreSQL setups against SQLite per run (above 1.0: as good or better).
pub fn stores_table(rows: &[StoreRow]) -> String {
    let names = crate::stores::Setup::ALL.map(crate::stores::Setup::name);
    let mut out = format!(
        "| shape | unit | {} | {} | {} | {} vs SQLite | {} vs SQLite |\n|---|---|---|---|---|---|---|\n",
        names[0], names[1], names[2], names[1], names[2]
    );
    for row in rows {
        let against_sqlite = |other: &[f64]| {
            let ratios: Vec<f64> = other
                .iter()
                .zip(&row.values[0])
                .map(|(o, s)| if row.higher_is_better { o / s } else { s / o })
                .collect();
            if ratios.is_empty() {
                return "-".to_owned();
            }
            let (lo, hi) = range(&ratios);
            format!("{:.2}x ({:.2}-{:.2})", median(&ratios), lo, hi)
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            row.shape,
            row.unit,
            figure(&row.values[0]),
            figure(&row.values[1]),
            figure(&row.values[2]),
            against_sqlite(&row.values[1]),
            against_sqlite(&row.values[2]),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(tinyim: &[f64], mosquitto: &[f64], higher_is_better: bool) -> Row {
        Row {
            shape: "s".into(),
            unit: "u",
            tinyim: tinyim.to_vec(),
            mosquitto: mosquitto.to_vec(),
            higher_is_better,
            goal: "",
        }
    }

    #[test]
    fn medians_ranges_and_ratios_paired_by_run() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(range(&[3.0, 1.0, 2.0]), (1.0, 3.0));
        // Throughput: tinyim over mosquitto; latency: mosquitto over tinyim.
        assert_eq!(row(&[20.0, 30.0], &[10.0, 10.0], true).ratios(), [2.0, 3.0]);
        assert_eq!(row(&[20.0], &[10.0], false).ratios(), [0.5]);
        let table = table(&[row(&[1.0, 3.0, 2.0], &[], false)]);
        assert!(table.contains("| s | u | 2 (1-3) | - | - |  |"), "{table}");
    }

    #[test]
    fn references_list_only_what_was_measured() {
        let refs = [
            Reference {
                what: "measured",
                unit: "us",
                values: vec![3.0, 1.0, 2.0],
            },
            Reference {
                what: "skipped",
                unit: "us",
                values: Vec::new(),
            },
        ];
        let out = references(&refs);
        assert!(out.contains("| measured | us | 2 (1-3) |"), "{out}");
        assert!(!out.contains("skipped"), "{out}");
        assert_eq!(references(&refs[1..]), "");
    }
}
