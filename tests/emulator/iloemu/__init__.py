# SPDX-License-Identifier: MIT
"""Emulated HPE iLO 5 Redfish service for hostfish's tests (Python 3 stdlib only)."""
