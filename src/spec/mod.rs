//! TODO: the `spec` layer (see DESIGN.md).
