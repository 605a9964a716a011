"""The service kernel: a deciding service declares what it is (``ServiceDefinition``)
and ``build_service`` turns the declaration into its running process."""

from shared.kernel.definition import Policy, ServiceDefinition, Timer, View
from shared.kernel.kernel import Kernel, KernelApp
from shared.kernel.process import application_dependency, build_application, build_service

__all__ = [
    "Kernel",
    "KernelApp",
    "Policy",
    "ServiceDefinition",
    "Timer",
    "View",
    "application_dependency",
    "build_application",
    "build_service",
]
