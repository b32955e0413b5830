//! TODO: the `emulator` layer (see DESIGN.md).
