//! TODO: the `apply` layer (see DESIGN.md).
