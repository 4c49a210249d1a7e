//! tongbao (通报): a static-site publisher for county government inspection
//! notices.
//!
//! The build is a pipeline, one module per stage:
//!
//! 1. [`load`]: `content/` files → the [`model`], every value located;
//! 2. [`validate`]: cross-references and sanity rules;
//! 3. [`score`]: ranks and exact points per unit;
//! 4. [`render`]: figures, Markdown and tera templates → files in memory;
//! 5. [`mod@write`]: files → the output folder, all or nothing.
//!
//! Problems at any stage are [`diagnostics`] located in the user's files.

pub mod calendar;
pub mod commands;
pub mod data_edit;
pub mod diagnostics;
pub mod diff;
pub mod exact;
pub mod figures;
pub mod findings;
pub mod git;
pub mod history;
pub mod import;
pub mod init;
pub mod layout;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
pub mod new_period;
pub mod notation;
pub mod outline;
pub mod packed;
pub mod pipeline;
pub mod progress;
pub mod render;
pub mod score;
pub mod serve;
pub mod since;
pub mod spelling;
pub mod staging;
pub mod standing;
pub mod validate;
pub mod weekly;
pub mod write;
