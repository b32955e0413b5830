//! TODO: the `render` layer (see DESIGN.md).
