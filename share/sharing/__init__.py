"""Share buttons: the share-target table and the counted hop each button goes through."""
