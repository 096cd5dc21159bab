"""`Module` and `Parameter`, plus the containers `Sequential`, `ModuleList`, `ModuleDict`.

As in PyTorch, assigning a `Parameter` or a `Module` to an attribute registers it, so
`named_parameters()` / `state_dict()` use the same dotted names as torch ("features.0.weight"), and
a state dict copied from an equivalent torch model (`{k: v.numpy() for k, v in sd.items()}`) loads.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from .. import backend
from ..autograd import STATE, is_meta_array
from ..tensor import Tensor, to_array


class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable parameter (requires_grad=True)."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        arr = np.zeros((0,), np.float32) if data is None else to_array(data)
        super().__init__(arr, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class _IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


_HOOK_IDS = itertools.count()


class _HookHandle:
    def __init__(self, hooks: dict[int, Callable[..., Any]], key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


class Module:
    """Base class of every layer and model: registration, modes, state dicts, hooks."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError("cannot assign before Module.__init__() call")
        params, buffers, modules = d["_parameters"], d["_buffers"], d["_modules"]
        if isinstance(value, Parameter):
            d.pop(name, None)
            buffers.pop(name, None)
            modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            d.pop(name, None)
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            params[name] = None
        elif name in buffers:
            buffers[name] = value if value is None or isinstance(value, Tensor) else Tensor(value)
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}'")
            modules[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[table]:
                del self.__dict__[table][name]
                return
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        self._buffers[name] = tensor
        if not persistent:
            self.__dict__.setdefault("_non_persistent", set()).add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._parameters[name] = param

    def add_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        for pre_hook in list(self._forward_pre_hooks.values()):
            pre_hook(self, args)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    def register_forward_hook(
        self, hook: Callable[[Module, tuple[Any, ...], Any], Any]
    ) -> _HookHandle:
        """`hook(module, args, output)` runs after forward; a non-None result replaces the output."""
        key = next(_HOOK_IDS)
        self._forward_hooks[key] = hook
        return _HookHandle(self._forward_hooks, key)

    def register_forward_pre_hook(
        self, hook: Callable[[Module, tuple[Any, ...]], Any]
    ) -> _HookHandle:
        """`hook(module, args)` runs before forward."""
        key = next(_HOOK_IDS)
        self._forward_pre_hooks[key] = hook
        return _HookHandle(self._forward_pre_hooks, key)

    # ------------------------------------------------------------------ traversal
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = ""
    ) -> Iterator[tuple[str, Module]]:
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        for mod_prefix, module in modules:
            for name, p in module._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        modules = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        for mod_prefix, module in modules:
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], None]) -> Module:
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.data[...] = 0

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """`.to(dtype)` casts floating parameters and buffers; `.to(device)` ("cpu", "cuda",
        "cuda:0") moves parameters, buffers and gradients there, in place, as torch does."""
        dtype, device = kwargs.get("dtype"), kwargs.get("device")
        for a in args:
            if isinstance(a, str) or type(a).__name__ == "device":
                device = a
            else:
                dtype = a
        if device is not None:
            self._move(backend.parse_device(device))
        if dtype is None:
            return self
        for t in list(self.parameters()) + list(self.buffers()):
            if t.data.dtype.kind == "f" and not is_meta_array(t.data):
                t.data = t.data.astype(dtype)
            elif t.data.dtype.kind == "f":
                t.data = np.broadcast_to(np.zeros((), dtype), t.shape)
            if t.grad is not None:
                t.grad = Tensor(t.grad.data.astype(dtype))
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def _move(self, device: str) -> None:
        for t in list(self.parameters()) + list(self.buffers()):
            if not is_meta_array(t.data):
                t.data = backend.to_device(t.data, device)
            if t.grad is not None:
                t.grad.data = backend.to_device(t.grad.data, device)

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, device: Any = "cuda") -> Module:
        return self.to(device if str(device).startswith("cuda") else f"cuda:{device}")

    # ------------------------------------------------------------------ state dicts
    def state_dict(self, prefix: str = "") -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by dotted name (torch's names), as Tensors (shared)."""
        out: OrderedDict[str, Tensor] = OrderedDict()
        for mod_prefix, module in self.named_modules(prefix=prefix.rstrip(".")):
            skip = module.__dict__.get("_non_persistent", set())
            for name, p in module._parameters.items():
                if p is not None:
                    out[f"{mod_prefix}.{name}" if mod_prefix else name] = p
            for name, b in module._buffers.items():
                if b is not None and name not in skip:
                    out[f"{mod_prefix}.{name}" if mod_prefix else name] = b
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> _IncompatibleKeys:
        """Copy arrays (NumPy arrays or Tensors) into parameters and buffers with the same names."""
        own = self.state_dict()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        for name, target in own.items():
            if name not in state_dict:
                continue
            value = to_array(state_dict[name])
            if tuple(value.shape) != target.shape:
                errors.append(
                    f"size mismatch for {name}: copying a param with shape {tuple(value.shape)} from "
                    f"checkpoint, the shape in current model is {target.shape}."
                )
                continue
            value = backend.to_device(value, target.device)  # onto the parameter's device
            target.data = backend.array_module(value).array(
                value, dtype=target.data.dtype, copy=True
            )
        if strict and (missing or unexpected):
            if missing:
                errors.append(
                    "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing)
                )
            if unexpected:
                errors.append(
                    "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected)
                )
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self._modules.items():
            body = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {body}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> Iterable[str]:
        return (
            list(super().__dir__())
            + list(self._parameters)
            + list(self._modules)
            + list(self._buffers)
        )


def meta_parameters(module: Module) -> bool:
    """True when the module was built inside `engine.meta()` (its weights take no memory)."""
    params = list(module.parameters())
    return any(is_meta_array(p.data) for p in params) or (STATE.meta and not params)


def _foldable(conv: Module, norm: Module) -> bool:
    """A Conv2d followed by an eval-mode BatchNorm2d with running statistics, neither hooked."""
    from .layers import BatchNorm2d, Conv2d

    return (
        type(conv) is Conv2d
        and type(norm) is BatchNorm2d
        and not norm.training
        and norm.track_running_stats
        and not (conv._forward_hooks or conv._forward_pre_hooks)
        and not (norm._forward_hooks or norm._forward_pre_hooks)
    )


def _relu_then_max_pool(relu: Module, pool: Module) -> bool:
    """A ReLU followed by a MaxPool2d, neither hooked. ReLU is monotone, so it commutes with the
    max: relu(maxpool(x)) = maxpool(relu(x)), and so do the gradients (ties that the ReLU creates
    among negative inputs get a zero gradient either way). Pooling first runs the ReLU, forward
    and backward, on one value per window instead of all of them, in training too."""
    from .layers import MaxPool2d, ReLU

    return (
        type(relu) is ReLU
        and type(pool) is MaxPool2d
        and not (relu._forward_hooks or relu._forward_pre_hooks)
        and not (pool._forward_hooks or pool._forward_pre_hooks)
    )


def _clamp_bounds(act: Module) -> tuple[float, float] | None:
    """(low, high) when `act` is an unhooked ReLU or ReLU6, else None."""
    from .layers import ReLU, ReLU6

    if act._forward_hooks or act._forward_pre_hooks:
        return None
    return {ReLU: (0.0, np.inf), ReLU6: (0.0, 6.0)}.get(type(act))


def _conv_then_batch_norm(conv: Module, norm: Module, input: Tensor) -> Tensor:
    """Inference only: batch norm with running statistics is a per-channel affine map, so it
    folds into the convolution before it (w' = w * scale, b' = (b - mean) * scale + beta, with
    scale = gamma / sqrt(var + eps)): one pass over the output instead of three. The same
    numbers up to float rounding; what deployment tools do to Conv-BN pairs."""
    from . import functional as F

    w = conv.weight.data
    _, scale, shift = F.batch_norm_affine(
        norm.running_mean.data,
        norm.running_var.data,
        None if norm.weight is None else norm.weight.data,
        None if norm.bias is None else norm.bias.data,
        norm.eps,
        w.dtype,
    )
    if conv.bias is not None:
        shift = shift + conv.bias.data * scale
    pointwise = w.shape[2:] == (1, 1) and conv.stride in (1, (1, 1)) and conv.padding in (0, (0, 0))
    outputs = input.data.size // input.shape[1] * w.shape[0]  # a 1x1 layer's: N*H*W*O
    if pointwise and w.size > outputs:
        # more weights than outputs (a late 1x1 layer on a small map): scale the output instead
        out = F.conv2d(input, conv.weight, None, 1, 0, 1, conv.groups)
        y = out.data
        y *= scale.reshape(1, -1, 1, 1)
        y += shift.reshape(1, -1, 1, 1)
        return out
    weight, bias = Tensor(w * scale.reshape(-1, 1, 1, 1)), Tensor(shift)
    return F.conv2d(input, weight, bias, conv.stride, conv.padding, conv.dilation, conv.groups)


class Sequential(Module):
    """Modules called in order; indexable and sliceable like torch's."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, input: Any) -> Any:
        modules = list(self._modules.values())
        fold = not (STATE.grad_enabled or STATE.shape_only or self.training)
        i = 0
        while i < len(modules):
            pair = modules[i : i + 2]
            if fold and len(pair) == 2 and _foldable(*pair):
                input = _conv_then_batch_norm(*pair, input)
                i += 2
                if i < len(modules) and _clamp_bounds(modules[i]) is not None:
                    # the folded output is a fresh array nobody else holds: clamp it in place
                    np.clip(input.data, *_clamp_bounds(modules[i]), out=input.data)
                    i += 1
            elif not STATE.shape_only and len(pair) == 2 and _relu_then_max_pool(*pair):
                input = pair[0](pair[1](input))  # pool first: one ReLU per window
                i += 2
            else:
                input = modules[i](input)
                i += 1
        return input

    def __getitem__(self, idx: int | slice) -> Any:
        items = list(self._modules.values())
        if isinstance(idx, slice):
            return Sequential(*items[idx])
        return items[idx]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered ("layers.0.weight", ...)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for m in modules or ():
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def __getitem__(self, idx: int | slice) -> Any:
        items = list(self._modules.values())
        return ModuleList(items[idx]) if isinstance(idx, slice) else items[idx]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleDict(Module):
    """A dict of modules whose parameters are registered under their keys."""

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        for k, m in (modules or {}).items():
            self.add_module(k, m)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()
