// Finding a GPUDevice, wherever we run. In a browser: navigator.gpu. In Node: Dawn's bindings
// (the `webgpu` package), imported dynamically so this module still loads in a browser bundle.
// Order: Dawn's default backend (a real GPU, core features), then Dawn's OpenGL backend in
// compatibility mode (on a CPU-only Linux machine that is Mesa's llvmpipe: slow but exact, so CI
// runs every shader for real). Whatever is picked is named in one description line.
//
// Process exit: Dawn does not keep Node's event loop alive once no mapAsync/onSubmittedWorkDone
// promise is pending, so a script that awaits its reads ends by itself (checked, with forced
// GCs, by test/webgpu-exit.test.ts). We still destroy the device in a 'beforeExit' hook, so
// native resources are released in order rather than by finalizers at teardown.

export interface GpuContext {
  device: GPUDevice;
  adapter: GPUAdapter;
  /** e.g. "webgpu: OpenGL version 4.5 (Core Profile) Mesa 22.3.6 (compatibility, software)" */
  description: string;
}

// The limits our kernels can use, requested up to what the adapter offers (compatibility mode
// starts lower than core, e.g. 128 invocations per workgroup).
const WANTED_LIMITS = [
  'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize',
] as const;

interface Candidate { label: string; gpu: () => Promise<GPU | undefined>; options: GPURequestAdapterOptions }

type NodeProcess = { versions?: { node?: string }; env: Record<string, string | undefined>; once(ev: string, f: () => void): void };
const nodeProcess = (globalThis as { process?: NodeProcess }).process;
const inNode = !!nodeProcess?.versions?.node && !(globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;

async function dawn(flags: string[]): Promise<GPU> {
  // Mesa's EGL must not look for a display server; it reads this when Dawn first loads it.
  nodeProcess!.env.EGL_PLATFORM ??= 'surfaceless';
  const specifier = 'webgpu';   // a variable, so bundlers leave the Node-only import alone
  const mod = await import(/* @vite-ignore */ specifier) as { create(flags: string[]): GPU; globals: object };
  Object.assign(globalThis, mod.globals);   // GPUBufferUsage, GPUMapMode, ... as in a browser
  return mod.create(flags);
}

function candidates(): Candidate[] {
  if (!inNode) {
    const gpu = async () => (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    return [
      { label: 'navigator.gpu', gpu, options: {} },
      { label: 'navigator.gpu (compatibility)', gpu, options: { featureLevel: 'compatibility' } },
    ];
  }
  return [
    { label: 'dawn default backend', gpu: () => dawn([]), options: {} },
    { label: 'dawn opengl backend (compatibility)', gpu: () => dawn(['backend=opengl']), options: { featureLevel: 'compatibility' } },
  ];
}

// dawn.node 0.6.2: if the GPU object (from create()) that made a live device is garbage-collected,
// the process aborts at a later GC or at exit ("The futex facility returned an unexpected error
// code" / std::system_error: Invalid argument); found with node --expose-gc. So the GPU objects
// and adapters we create are kept for the life of the process.
const keepAlive: unknown[] = [];

function describe(adapter: GPUAdapter, compat: boolean): string {
  const info = adapter.info;
  const name = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unknown adapter';
  const software = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter
    || /llvmpipe|lavapipe|swiftshader|software/i.test(`${info.description} ${info.device} ${info.architecture}`);
  return `webgpu: ${name} (${compat ? 'compatibility' : 'core'}${software ? ', software' : ''})`;
}

/** The first adapter of the candidates, in order, with its description; what each candidate said on the way. */
async function findAdapter(): Promise<{ adapter: GPUAdapter; candidate: Candidate; description: string }> {
  const tried: string[] = [];
  for (const c of candidates()) {
    let adapter: GPUAdapter | null = null;
    try {
      const gpu = await c.gpu();
      keepAlive.push(gpu);
      adapter = gpu ? await gpu.requestAdapter(c.options) : null;
    } catch (e) {
      tried.push(`${c.label}: ${(e as Error).message}`);
      continue;
    }
    if (!adapter) { tried.push(`${c.label}: no adapter`); continue; }
    keepAlive.push(adapter);
    const compat = c.options.featureLevel === 'compatibility' && !adapter.features.has('core-features-and-limits');
    return { adapter, candidate: c, description: describe(adapter, compat) };
  }
  throw new Error(`no WebGPU adapter found (tried: ${tried.join('; ')})`);
}

/** The adapter acquireDevice() would take, described, without making a device (a cheap probe for 'auto'). */
export async function probeAdapter(): Promise<string> {
  return (await findAdapter()).description;
}

export async function acquireDevice(): Promise<GpuContext> {
  const { adapter, description } = await findAdapter();
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  // Timestamp queries, where the adapter has them, let the profiler time each kernel on the GPU.
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  nodeProcess?.once?.('beforeExit', () => device.destroy());
  return { device, adapter, description };
}
