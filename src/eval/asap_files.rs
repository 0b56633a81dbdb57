//! Reading ASAP fold files (`fold_K.tsv`): a header line, tab-separated
//! columns `essay_id essay_set essay …`, the essay in double quotes with
//! doubled inner quotes, lines ending in LF or CRLF.

use std::path::Path;

/// One ASAP essay.
#[derive(Debug, Clone, PartialEq)]
pub struct AsapEssay {
    pub essay_id: String,
    pub essay_set: String,
    pub text: String,
}

/// The essays of one fold file's contents.
pub fn parse_fold(contents: &str) -> Vec<AsapEssay> {
    contents
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .filter_map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let mut cols = line.split('\t');
            let essay_id = cols.next()?.to_owned();
            let essay_set = cols.next()?.to_owned();
            let raw = cols.next()?;
            let text = raw
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .unwrap_or(raw)
                .replace("\"\"", "\"");
            (!text.trim().is_empty()).then_some(AsapEssay {
                essay_id,
                essay_set,
                text,
            })
        })
        .collect()
}

/// Every essay of `fold_0.tsv` … `fold_4.tsv` in `dir`, in file order.
pub fn read_folds(dir: &Path) -> std::io::Result<Vec<AsapEssay>> {
    let mut essays = Vec::new();
    for k in 0..5 {
        let path = dir.join(format!("fold_{k}.tsv"));
        if path.exists() {
            essays.extend(parse_fold(&std::fs::read_to_string(path)?));
        }
    }
    Ok(essays)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fold_line_gives_its_essay_with_quotes_unescaped() {
        let contents = "essay_id\tessay_set\tessay\tscore\r\n7\t1\t\"Dear \"\"editor\"\", hi\"\t4\r\n8\t3\t\"\"\t1\n";
        let essays = parse_fold(contents);
        assert_eq!(essays.len(), 1, "empty essays are skipped");
        assert_eq!(essays[0].text, "Dear \"editor\", hi");
        assert_eq!(essays[0].essay_set, "1");
    }
}
