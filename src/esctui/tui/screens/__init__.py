"""The dialogs actions open: pickers, forms, confirmations, help."""
