"""A dossier's chronology as a document: one builder, several writers (DOCX, PDF, MD, CSV)."""
