//! View factors on disk, under their geometry key, so a mesh's factors are computed once.
//!
//! The file `<dir>/<key>.rfvf` holds, little-endian: the magic `b"RFVF\0\0\0\x01"`, the key
//! (length as `u64`, then UTF-8 bytes), the zone count `n` and entry count `m` (`u64`), the
//! zone areas (`n × f64`), row pointers (`(n + 1) × u64`), columns (`m × u32`), values
//! (`m × f64`) and sink factors (`n × f64`). A file that does not parse, or whose key differs, is
//! ignored (and recomputed); writes go to a temporary file renamed into place, so concurrent
//! solves never read a partial file.

use super::view_factor::{ViewFactorInfo, ViewFactors};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"RFVF\0\0\0\x01";

/// The cache file of `key` in `dir`.
pub fn path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.rfvf"))
}

/// Write `vf` to `dir` (created if missing) under its key; returns the file.
pub fn save(dir: &Path, vf: &ViewFactors) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let target = path(dir, &vf.key);
    let tmp = dir.join(format!(
        ".{}.{}.{:?}.tmp",
        vf.key,
        std::process::id(),
        std::thread::current().id()
    ));
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        w.write_all(MAGIC)?;
        w.write_all(&(vf.key.len() as u64).to_le_bytes())?;
        w.write_all(vf.key.as_bytes())?;
        w.write_all(&(vf.len() as u64).to_le_bytes())?;
        w.write_all(&(vf.col.len() as u64).to_le_bytes())?;
        for x in &vf.area {
            w.write_all(&x.to_le_bytes())?;
        }
        for &p in &vf.row_ptr {
            w.write_all(&(p as u64).to_le_bytes())?;
        }
        for c in &vf.col {
            w.write_all(&c.to_le_bytes())?;
        }
        for x in &vf.value {
            w.write_all(&x.to_le_bytes())?;
        }
        for x in &vf.sink {
            w.write_all(&x.to_le_bytes())?;
        }
        w.flush()?;
    }
    std::fs::rename(&tmp, &target)?;
    Ok(target)
}

/// The factors stored under `key` in `dir`, if a valid file is there.
pub fn load(dir: &Path, key: &str) -> Option<ViewFactors> {
    let mut bytes = Vec::new();
    std::fs::File::open(path(dir, key))
        .ok()?
        .read_to_end(&mut bytes)
        .ok()?;
    let mut r = Reader {
        bytes: &bytes,
        at: 0,
    };
    if r.take(8)? != MAGIC {
        return None;
    }
    let key_len = r.u64()? as usize;
    if std::str::from_utf8(r.take(key_len)?).ok()? != key {
        return None;
    }
    let n = r.u64()? as usize;
    let m = r.u64()? as usize;
    // sizes must match the file exactly before anything is allocated
    let expected = n
        .checked_mul(8 + 8 + 8)?
        .checked_add(8)?
        .checked_add(m.checked_mul(12)?)?;
    if bytes.len() - r.at != expected {
        return None;
    }
    let area = (0..n).map(|_| r.f64()).collect::<Option<Vec<_>>>()?;
    let row_ptr = (0..=n)
        .map(|_| r.u64().map(|x| x as usize))
        .collect::<Option<Vec<_>>>()?;
    let col = (0..m).map(|_| r.u32()).collect::<Option<Vec<_>>>()?;
    let value = (0..m).map(|_| r.f64()).collect::<Option<Vec<_>>>()?;
    let sink = (0..n).map(|_| r.f64()).collect::<Option<Vec<_>>>()?;
    let consistent = row_ptr.first() == Some(&0)
        && row_ptr.last() == Some(&m)
        && row_ptr.windows(2).all(|w| w[0] <= w[1])
        && col.iter().all(|&c| (c as usize) < n)
        && value
            .iter()
            .chain(&area)
            .chain(&sink)
            .all(|x| x.is_finite());
    consistent.then(|| ViewFactors {
        area,
        row_ptr,
        col,
        value,
        sink,
        key: key.to_owned(),
        info: ViewFactorInfo::default(),
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radiation::surface::Zones;
    use crate::radiation::view_factor::{view_factors, ViewFactorParams};
    use crate::Silent;

    #[test]
    fn radiation_cache_round_trip_and_refusals() {
        let s = crate::radiation::view_factor::tests::cube(1.0, 2);
        let params = ViewFactorParams {
            rays_per_zone: Some(256),
            ..Default::default()
        };
        let vf = view_factors(&s, &Zones::per_face(&s), &params, &Silent).unwrap();
        let dir = std::env::temp_dir().join(format!("rackflow-vf-test-{}", std::process::id()));
        let file = save(&dir, &vf).unwrap();
        let back = load(&dir, &vf.key).unwrap();
        assert_eq!(back.value, vf.value);
        assert_eq!(back.col, vf.col);
        assert_eq!(back.row_ptr, vf.row_ptr);
        assert_eq!(back.area, vf.area);
        assert_eq!(back.sink, vf.sink);
        // another key, a truncated file: ignored
        assert!(load(&dir, "0123").is_none());
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() - 3]).unwrap();
        assert!(load(&dir, &vf.key).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
