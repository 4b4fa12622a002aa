//! Serde types of the radiation a case asks for (the case layer holds them in its
//! `Case` and re-exports them): sink conditions on patches and grey diffuse enclosures, and
//! [`RadiationSpec`], what [`super::RadiationModel::new`] resolves on a mesh. SI units, kelvin.

use serde::{Deserialize, Serialize};

/// A patch radiating as a grey surface to a black sink, less an absorbed external flux:
/// net loss `q = ε σ (T⁴ − T_sink⁴) − absorbed_flux_w_m2` (W/m²), added to the patch's thermal
/// condition (adiabatic, heat flux or convective). See [`super::sink`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Radiation {
    /// Patch name.
    pub patch: String,
    /// Hemispherical emissivity, in (0, 1].
    pub emissivity: f64,
    /// Sink temperature, K (deep space ≈ 3 K).
    pub sink_k: f64,
    /// External flux absorbed by the surface (absorptivity × incident solar, albedo and
    /// planet infrared), W/m².
    #[serde(default)]
    pub absorbed_flux_w_m2: f64,
}

/// A grey diffuse enclosure: the patches exchange radiation with each other through view
/// factors (computed by ray casting), and with a black sink through what they do not see of
/// each other when `sink_k` is given (an open enclosure). See [`super`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enclosure {
    /// Patch names.
    pub patches: Vec<String>,
    /// Emissivity of each patch, in (0, 1].
    pub emissivity: std::collections::BTreeMap<String, f64>,
    /// Sink temperature of an open enclosure, K; `None`: closed (checked).
    #[serde(default)]
    pub sink_k: Option<f64>,
    /// Rays cast from each radiation zone; `None`: the default (2²¹ shared by the zones, at
    /// least 4,096 each).
    #[serde(default)]
    pub rays_per_zone: Option<usize>,
    /// Largest number of faces merged into one radiation zone; `None`: automatic (one zone per
    /// face up to 2,000 faces, zones of up to `faces / 2,000` faces above).
    #[serde(default)]
    pub max_zone_faces: Option<usize>,
}

/// The radiation of a case, as the radiation layer needs it: the sink conditions, the
/// enclosures and the patches that are symmetry planes (which cannot radiate). The case layer
/// builds it (`Case::radiation_spec`); tests and tools may build it directly.
#[derive(Debug, Clone, Default)]
pub struct RadiationSpec<'a> {
    /// Patches radiating to a sink.
    pub sinks: &'a [Radiation],
    /// Grey diffuse enclosures.
    pub enclosures: &'a [Enclosure],
    /// Names of the patches that are symmetry planes.
    pub symmetry_patches: Vec<&'a str>,
}

impl RadiationSpec<'_> {
    /// Whether there is no radiation at all.
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty() && self.enclosures.is_empty()
    }
}
