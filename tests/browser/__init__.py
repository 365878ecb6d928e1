"""The form and pages in headless Chromium (Debian's), with axe-core for accessibility."""
