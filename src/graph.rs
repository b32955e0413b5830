//! TODO: the resource graph.
