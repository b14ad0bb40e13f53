"""What the screens share that is not a widget: the store calls, the palette, key order, drafts, page caches."""
