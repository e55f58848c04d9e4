"""Documents: frontmatter parsed with positions, the bundled schemas, the byte-preserving writer."""
