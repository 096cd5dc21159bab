"""Group commit: answers (and joins) from all connections are written in one transaction per batch.

Everything waits in one asyncio queue; a single writer takes what is waiting (up to `batch_max`),
commits it in a worker thread, and only then resolves each item's future, so every acknowledgement
follows its commit. Under load the batches grow by themselves: one fsync covers hundreds of answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """Group commit: what waits is written in one transaction; results come after the commit.

    `write_many(items) -> results` runs in a worker thread (one at a time); `on_commit(items,
    results)` runs in the event loop after each batch.
    """

    def __init__(
        self,
        write_many: Callable[[list[T]], list[R]],
        batch_max: int,
        on_commit: Callable[[list[T], list[R]], Awaitable[None]] | None = None,
    ):
        self.write_many = write_many
        self.batch_max = batch_max
        self.on_commit = on_commit
        self.queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.batches = 0
        self.items = 0

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        await self.queue.put((item, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < self.batch_max and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            items = [item for item, _ in batch]
            try:
                results = await asyncio.to_thread(self.write_many, items)
            except Exception as exc:  # one bad item must not sink the batch: retry one by one
                if len(items) == 1:
                    if not batch[0][1].done():
                        batch[0][1].set_exception(exc)
                    continue
                results = []
                failed: list[tuple[asyncio.Future[R], Exception]] = []
                for item, future in batch:
                    try:
                        results.append((await asyncio.to_thread(self.write_many, [item]))[0])
                    except Exception as exc_one:
                        failed.append((future, exc_one))
                        results.append(None)  # type: ignore[arg-type]
                for future, reason in failed:
                    if not future.done():
                        future.set_exception(reason)
            self.batches += 1
            self.items += len(items)
            if self.on_commit is not None:  # queue the presenters' refresh ahead of the acks
                await self.on_commit(items, results)
            for (_, future), result in zip(batch, results):
                if not future.done():
                    future.set_result(result)
