//! TODO: the `arm` layer (see DESIGN.md).
