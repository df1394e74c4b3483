;; The CPU backend's hot loops, hand-written in WebAssembly SIMD (f32x4).
;;
;; Why WAT by hand: matmul and convolution are 95% of a CNN's time, and scalar JS stops near
;; 2-3 GFLOP/s a core. A register-blocked microkernel needs control over which values live in
;; registers, which only wasm gives us in a browser-portable way.
;;
;; Shape of the code (the classic Goto/BLIS structure):
;;   $gemm      blocks C = op(A)·op(B) over K (KC), M (MC) and N (NC), packs the blocks into
;;              contiguous panels, and walks them with
;;   $kernel    a 4x8 microkernel: 8 f32x4 accumulators held in registers over the whole K block.
;;   $im2col / $col2im   turn a convolution into a gemm and back.
;;   $map / $zip / $rowsum / $maxpool / $maxpool_back / $adam
;;              the memory-bound passes of training (activations, their gradients, bias sums,
;;              pooling, the optimiser): in JS each costs 3-8 ns an element, here ~0.3-1.
;;   run        an interpreter of "programs": arrays of 16-int commands written by threads.ts, so
;;              the main thread and the worker execute the same code on different parts.
;;
;; Memory is imported and shared (the worker instantiates this same module on it).
;; Pointers are byte addresses; strides given to exports are in elements (floats).
;; No FMA: relaxed-SIMD is not enabled in Node 20, so each step is f32x4.mul + f32x4.add.
(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; Block sizes. A: MC x KC floats (128 KiB, stays in L2); B: KC x NC (1 MiB, L2/L3);
  ;; one B micro-panel (KC x 8 = 8 KiB) stays in L1 while the A panels stream past it.
  (global $MC i32 (i32.const 128))
  (global $KC i32 (i32.const 256))
  (global $NC i32 (i32.const 1024))
  ;; Floats of private scratch one $gemm call needs: MC*KC (packed A) + KC*NC (packed B) + 32 (edge tile).
  (global (export "gemmScratchFloats") i32 (i32.const 294944))

  ;; Pack rows [0,mc) x cols [0,kc) of a strided matrix into panels of 4 rows:
  ;; dst[panel][p][r] (4 floats per p), rows past mc padded with zeros. rs/cs in bytes.
  ;; Full panels of a row-major matrix go four k at a time, as 4x4 transposes in registers.
  (func $pack_a (param $a i32) (param $rs i32) (param $cs i32) (param $mc i32) (param $kc i32) (param $dst i32)
    (local $i i32) (local $r i32) (local $p i32) (local $src i32) (local $d i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128)
    (loop $panels
      (if (i32.and (i32.eq (local.get $cs) (i32.const 4))
                   (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $mc)))
        (then
          (local.set $src (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rs))))
          (local.set $d (local.get $dst))
          (local.set $p (i32.const 0))
          (block $tail
            (loop $quad
              (br_if $tail (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
              (local.set $r0 (v128.load (local.get $src)))
              (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $rs))))
              (local.set $r2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 1)))))
              (local.set $r3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $rs) (i32.const 3)))))
              ;; t0 = [r0.0 r1.0 r0.1 r1.1], t1 = [r2.0 r3.0 r2.1 r3.1]: their halves are k = 0 and 1
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
              (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
              (v128.store offset=16 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
              ;; the same with the upper halves, k = 2 and 3
              (local.set $t0 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
              (v128.store offset=32 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
              (v128.store offset=48 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
              (local.set $src (i32.add (local.get $src) (i32.const 16)))
              (local.set $d (i32.add (local.get $d) (i32.const 64)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br $quad)))
          (if (i32.lt_u (local.get $p) (local.get $kc)) (then
            (loop $k
              (local.set $r (i32.const 0))
              (loop $rows
                (f32.store (i32.add (local.get $d) (i32.shl (local.get $r) (i32.const 2)))
                  (f32.load (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $rs)))))
                (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
              (local.set $src (i32.add (local.get $src) (i32.const 4)))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (br_if $k (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc)))))))
        (else
          (local.set $r (i32.const 0))
          (loop $rows
            (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))
            (if (i32.lt_u (i32.add (local.get $i) (local.get $r)) (local.get $mc))
              (then
                (local.set $src (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $rs))))
                (local.set $p (local.get $kc))
                (loop $k
                  (f32.store (local.get $d) (f32.load (local.get $src)))
                  (local.set $src (i32.add (local.get $src) (local.get $cs)))
                  (local.set $d (i32.add (local.get $d) (i32.const 16)))
                  (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
              (else
                (local.set $p (local.get $kc))
                (loop $k
                  (f32.store (local.get $d) (f32.const 0))
                  (local.set $d (i32.add (local.get $d) (i32.const 16)))
                  (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))))
            (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 4))))
      (br_if $panels (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $mc)))))

  ;; Four vectors at s, s+cs, s+2cs, s+3cs (bytes) as the rows of a 4x4 block; its columns are
  ;; stored at d, d+pitch, d+2pitch, d+3pitch.
  (func $transpose4 (param $s i32) (param $cs i32) (param $d i32) (param $pitch i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128)
    (local.set $r0 (v128.load (local.get $s)))
    (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $cs))))
    (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $cs) (i32.const 1)))))
    (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $cs) (i32.const 3)))))
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
    (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
    (local.set $d (i32.add (local.get $d) (local.get $pitch)))
    (v128.store (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
    (local.set $d (i32.add (local.get $d) (local.get $pitch)))
    (local.set $t0 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
    (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
    (local.set $d (i32.add (local.get $d) (local.get $pitch)))
    (v128.store (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1))))

  ;; Pack rows [0,kc) x cols [0,nc) into panels of 8 columns: dst[panel][p][c] (8 floats per p),
  ;; columns past nc padded with zeros. Full panels of a row-major matrix copy two vectors a row;
  ;; full panels of a column-major one (a transposed operand) go through 4x4 transposes.
  (func $pack_b (param $b i32) (param $rs i32) (param $cs i32) (param $kc i32) (param $nc i32) (param $dst i32)
    (local $j i32) (local $c i32) (local $p i32) (local $src i32) (local $d i32)
    (loop $panels
      (if (i32.and (i32.eq (local.get $cs) (i32.const 4))
                   (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $nc)))
        (then
          (local.set $src (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $d (local.get $dst))
          (local.set $p (local.get $kc))
          (loop $k
            (v128.store (local.get $d) (v128.load (local.get $src)))
            (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $src)))
            (local.set $src (i32.add (local.get $src) (local.get $rs)))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
        (else (if (i32.and (i32.eq (local.get $rs) (i32.const 4))
                           (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $nc)))
        (then
          ;; A transposed operand (k contiguous in each column): four k of eight columns a step,
          ;; as two 4x4 transposes in registers.
          (local.set $src (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $cs))))
          (local.set $d (local.get $dst))
          (local.set $p (i32.const 0))
          (block $tail
            (loop $quad
              (br_if $tail (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
              (call $transpose4 (local.get $src) (local.get $cs) (local.get $d) (i32.const 32))
              (call $transpose4 (i32.add (local.get $src) (i32.shl (local.get $cs) (i32.const 2))) (local.get $cs)
                                (i32.add (local.get $d) (i32.const 16)) (i32.const 32))
              (local.set $src (i32.add (local.get $src) (i32.const 16)))
              (local.set $d (i32.add (local.get $d) (i32.const 128)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br $quad)))
          (if (i32.lt_u (local.get $p) (local.get $kc)) (then
            (loop $k
              (local.set $c (i32.const 0))
              (loop $tcols
                (f32.store (i32.add (local.get $d) (i32.shl (local.get $c) (i32.const 2)))
                  (f32.load (i32.add (local.get $src) (i32.mul (local.get $c) (local.get $cs)))))
                (br_if $tcols (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 8))))
              (local.set $src (i32.add (local.get $src) (i32.const 4)))
              (local.set $d (i32.add (local.get $d) (i32.const 32)))
              (br_if $k (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc)))))))
        (else
          (local.set $c (i32.const 0))
          (loop $cols
            (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $p (local.get $kc))
            (if (i32.lt_u (i32.add (local.get $j) (local.get $c)) (local.get $nc))
              (then
                (local.set $src (i32.add (local.get $b) (i32.mul (i32.add (local.get $j) (local.get $c)) (local.get $cs))))
                (loop $k
                  (f32.store (local.get $d) (f32.load (local.get $src)))
                  (local.set $src (i32.add (local.get $src) (local.get $rs)))
                  (local.set $d (i32.add (local.get $d) (i32.const 32)))
                  (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
              (else
                (loop $k
                  (f32.store (local.get $d) (f32.const 0))
                  (local.set $d (i32.add (local.get $d) (i32.const 32)))
                  (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))))
            (br_if $cols (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 8))))))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 5))))
      (br_if $panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $nc)))))

  ;; The microkernel: a 4x8 tile of C from a packed A panel (4 floats per k) and a packed
  ;; B panel (8 floats per k), kc >= 1. add = 0 stores the tile, add = 1 adds it to C.
  (func $kernel (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $add i32)
    (local $b0 v128) (local $b1 v128) (local $a v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (loop $k
      (local.set $b0 (v128.load (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $a (v128.load32_splat (local.get $pa)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
    (if (local.get $add)
      (then
        (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $pc))))
        (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (local.set $c10 (f32x4.add (local.get $c10) (v128.load (local.get $pc))))
        (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (local.set $c20 (f32x4.add (local.get $c20) (v128.load (local.get $pc))))
        (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (local.set $c30 (f32x4.add (local.get $c30) (v128.load (local.get $pc))))
        (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $pc))))
        (local.set $pc (i32.sub (local.get $pc) (i32.mul (local.get $ldc) (i32.const 3))))))
    (v128.store (local.get $pc) (local.get $c00))
    (v128.store offset=16 (local.get $pc) (local.get $c01))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store (local.get $pc) (local.get $c10))
    (v128.store offset=16 (local.get $pc) (local.get $c11))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store (local.get $pc) (local.get $c20))
    (v128.store offset=16 (local.get $pc) (local.get $c21))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store (local.get $pc) (local.get $c30))
    (v128.store offset=16 (local.get $pc) (local.get $c31)))

  ;; Copy the valid mr x nr corner of a 4x8 tile (row pitch 32 bytes) into C, storing or adding.
  (func $edge (param $tile i32) (param $pc i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $add i32)
    (local $r i32) (local $c i32) (local $s i32) (local $d i32)
    (loop $rows
      (local.set $c (i32.const 0))
      (loop $cols
        (local.set $s (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $c)) (i32.const 2))))
        (local.set $d (i32.add (i32.add (local.get $pc) (i32.mul (local.get $r) (local.get $ldc))) (i32.shl (local.get $c) (i32.const 2))))
        (f32.store (local.get $d)
          (f32.add (f32.load (local.get $s))
                   (select (f32.load (local.get $d)) (f32.const 0) (local.get $add))))
        (br_if $cols (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $nr))))
      (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $mr)))))

  ;; C[m,n] (row pitch ldc elements) = or += A·B, where A(i,p) = a[i*rsA + p*csA] and
  ;; B(p,j) = b[p*rsB + j*csB] (strides in elements, so transposes are just strides).
  ;; scratch: MC*KC + KC*NC + 32 floats, private to the calling thread. m, n, k >= 1.
  (func $gemm (param $m i32) (param $n i32) (param $k i32)
              (param $a i32) (param $rsA i32) (param $csA i32)
              (param $b i32) (param $rsB i32) (param $csB i32)
              (param $c i32) (param $ldc i32) (param $acc i32) (param $scratch i32)
    (local $ap i32) (local $bp i32) (local $tile i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $ir i32) (local $add i32) (local $cp i32)
    (local.set $rsA (i32.shl (local.get $rsA) (i32.const 2)))
    (local.set $csA (i32.shl (local.get $csA) (i32.const 2)))
    (local.set $rsB (i32.shl (local.get $rsB) (i32.const 2)))
    (local.set $csB (i32.shl (local.get $csB) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $ap (local.get $scratch))
    (local.set $bp (i32.add (local.get $ap) (i32.mul (i32.mul (global.get $MC) (global.get $KC)) (i32.const 4))))
    (local.set $tile (i32.add (local.get $bp) (i32.mul (i32.mul (global.get $KC) (global.get $NC)) (i32.const 4))))
    (loop $jloop
      (local.set $nc (select (global.get $NC) (i32.sub (local.get $n) (local.get $jc))
                             (i32.lt_u (global.get $NC) (i32.sub (local.get $n) (local.get $jc)))))
      (local.set $pc (i32.const 0))
      (loop $ploop
        (local.set $kc (select (global.get $KC) (i32.sub (local.get $k) (local.get $pc))
                               (i32.lt_u (global.get $KC) (i32.sub (local.get $k) (local.get $pc)))))
        (local.set $add (i32.or (local.get $acc) (i32.ne (local.get $pc) (i32.const 0))))
        (call $pack_b (i32.add (local.get $b) (i32.add (i32.mul (local.get $pc) (local.get $rsB)) (i32.mul (local.get $jc) (local.get $csB))))
                      (local.get $rsB) (local.get $csB) (local.get $kc) (local.get $nc) (local.get $bp))
        (local.set $ic (i32.const 0))
        (loop $iloop
          (local.set $mc (select (global.get $MC) (i32.sub (local.get $m) (local.get $ic))
                                 (i32.lt_u (global.get $MC) (i32.sub (local.get $m) (local.get $ic)))))
          (call $pack_a (i32.add (local.get $a) (i32.add (i32.mul (local.get $ic) (local.get $rsA)) (i32.mul (local.get $pc) (local.get $csA))))
                        (local.get $rsA) (local.get $csA) (local.get $mc) (local.get $kc) (local.get $ap))
          (local.set $jr (i32.const 0))
          (loop $jrloop
            (local.set $ir (i32.const 0))
            (loop $irloop
              (local.set $cp (i32.add (local.get $c)
                (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc))
                         (i32.shl (i32.add (local.get $jc) (local.get $jr)) (i32.const 2)))))
              (if (i32.and (i32.le_u (i32.add (local.get $ir) (i32.const 4)) (local.get $mc))
                           (i32.le_u (i32.add (local.get $jr) (i32.const 8)) (local.get $nc)))
                (then
                  (call $kernel (local.get $kc)
                    (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                    (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                    (local.get $cp) (local.get $ldc) (local.get $add)))
                (else
                  (call $kernel (local.get $kc)
                    (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                    (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                    (local.get $tile) (i32.const 32) (i32.const 0))
                  (call $edge (local.get $tile) (local.get $cp) (local.get $ldc)
                    (select (i32.const 4) (i32.sub (local.get $mc) (local.get $ir)) (i32.lt_u (i32.const 4) (i32.sub (local.get $mc) (local.get $ir))))
                    (select (i32.const 8) (i32.sub (local.get $nc) (local.get $jr)) (i32.lt_u (i32.const 8) (i32.sub (local.get $nc) (local.get $jr))))
                    (local.get $add))))
              (br_if $irloop (i32.lt_u (local.tee $ir (i32.add (local.get $ir) (i32.const 4))) (local.get $mc))))
            (br_if $jrloop (i32.lt_u (local.tee $jr (i32.add (local.get $jr) (i32.const 8))) (local.get $nc))))
          (br_if $iloop (i32.lt_u (local.tee $ic (i32.add (local.get $ic) (global.get $MC))) (local.get $m))))
        (br_if $ploop (i32.lt_u (local.tee $pc (i32.add (local.get $pc) (global.get $KC))) (local.get $k))))
      (br_if $jloop (i32.lt_u (local.tee $jc (i32.add (local.get $jc) (global.get $NC))) (local.get $n)))))

  ;; The output columns ow whose input column iw = ow*s + off lies in [0, w): [lo, hi),
  ;; returned as lo | hi << 16 (sizes are far below 65536).
  (func $valid_range (param $off i32) (param $s i32) (param $w i32) (param $ow i32) (result i32)
    (local $lo i32) (local $hi i32)
    (if (i32.lt_s (local.get $off) (i32.const 0))
      (then (local.set $lo (i32.div_u (i32.add (i32.sub (i32.const 0) (local.get $off)) (i32.sub (local.get $s) (i32.const 1))) (local.get $s)))))
    (if (i32.ge_s (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $off)) (i32.const 0))
      (then (local.set $hi (i32.add (i32.div_u (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $off)) (local.get $s)) (i32.const 1)))))
    (if (i32.gt_u (local.get $hi) (local.get $ow)) (then (local.set $hi (local.get $ow))))
    (if (i32.gt_u (local.get $lo) (local.get $hi)) (then (local.set $lo (local.get $hi))))
    (i32.or (local.get $lo) (i32.shl (local.get $hi) (i32.const 16))))

  ;; Zero the floats in [p, end). Rows of a convolution are short (often 10-30 floats), too short
  ;; for memory.fill / memory.copy, whose per-call cost then dominates; plain loops win.
  (func $zero (param $p i32) (param $end i32)
    (if (i32.lt_u (local.get $p) (local.get $end)) (then
      (loop $z
        (f32.store (local.get $p) (f32.const 0))
        (br_if $z (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end)))))))

  ;; One row segment of a patch: col[s..e) = x[src], x[src + sw4], ... (add = 0), or the x
  ;; elements += col (add = 1). With unit stride (the common case) four floats a step.
  (func $run (param $s i32) (param $e i32) (param $src i32) (param $sw4 i32) (param $add i32)
    (if (i32.eq (local.get $sw4) (i32.const 4))
      (then
        (block $done
          (loop $vec
            (br_if $done (i32.gt_u (i32.add (local.get $s) (i32.const 16)) (local.get $e)))
            (if (local.get $add)
              (then (v128.store (local.get $src) (f32x4.add (v128.load (local.get $src)) (v128.load (local.get $s)))))
              (else (v128.store (local.get $s) (v128.load (local.get $src)))))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (br $vec)))))
    (if (i32.lt_u (local.get $s) (local.get $e)) (then
      (loop $one
        (if (local.get $add)
          (then (f32.store (local.get $src) (f32.add (f32.load (local.get $src)) (f32.load (local.get $s)))))
          (else (f32.store (local.get $s) (f32.load (local.get $src)))))
        (local.set $src (i32.add (local.get $src) (local.get $sw4)))
        (br_if $one (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 4))) (local.get $e)))))))

  ;; One convolution geometry walk shared by im2col (add = 0) and col2im (add = 1).
  ;; col[(c*kh + i)*kw + j][oh*OW + ow] <-> x[c][oh*sh - ph + i*dh][ow*sw - pw + j*dw] (col rows
  ;; pitch floats apart: oh*ow for one image, N*oh*ow for an image's columns of a whole batch), where
  ;; im2col copies x into col (zeros where the window hangs over the padding) and col2im adds
  ;; col back into x (x must start zeroed; overlapping windows accumulate).
  (func $im2col (param $x i32) (param $ch i32) (param $h i32) (param $w i32)
                (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
                (param $ph i32) (param $pw i32) (param $dh i32) (param $dw i32)
                (param $oh i32) (param $ow i32) (param $col i32) (param $pitch i32) (param $add i32)
    (local $c i32) (local $i i32) (local $j i32) (local $y i32) (local $iy i32)
    (local $range i32) (local $lo i32) (local $hi i32) (local $off i32)
    (local $row i32) (local $src i32) (local $d i32) (local $s i32) (local $e i32)
    (local $sw4 i32)
    (local.set $sw4 (i32.shl (local.get $sw) (i32.const 2)))
    (loop $cl
      (local.set $i (i32.const 0))
      (loop $il
        (local.set $j (i32.const 0))
        (loop $jl
          (local.set $off (i32.sub (i32.mul (local.get $j) (local.get $dw)) (local.get $pw)))
          (local.set $range (call $valid_range (local.get $off) (local.get $sw) (local.get $w) (local.get $ow)))
          (local.set $lo (i32.and (local.get $range) (i32.const 0xffff)))
          (local.set $hi (i32.shr_u (local.get $range) (i32.const 16)))
          (local.set $y (i32.const 0))
          (loop $yl
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $y) (local.get $sh)) (local.get $ph)) (i32.mul (local.get $i) (local.get $dh))))
            (local.set $d (i32.add (local.get $col) (i32.shl (i32.mul (local.get $y) (local.get $ow)) (i32.const 2))))
            (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $h)))
              (then
                ;; src = &x[c][iy][lo*sw + off]
                (local.set $src (i32.add (local.get $x)
                  (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $c) (local.get $h)) (local.get $iy)) (local.get $w))
                                    (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $off))) (i32.const 2))))
                (local.set $s (i32.add (local.get $d) (i32.shl (local.get $lo) (i32.const 2))))
                (local.set $e (i32.add (local.get $d) (i32.shl (local.get $hi) (i32.const 2))))
                (if (i32.eqz (local.get $add))
                  (then
                    (call $zero (local.get $d) (local.get $s))
                    (call $zero (local.get $e) (i32.add (local.get $d) (i32.shl (local.get $ow) (i32.const 2))))))
                (call $run (local.get $s) (local.get $e) (local.get $src) (local.get $sw4) (local.get $add)))
              (else
                (if (i32.eqz (local.get $add))
                  (then (call $zero (local.get $d) (i32.add (local.get $d) (i32.shl (local.get $ow) (i32.const 2))))))))
            (br_if $yl (i32.lt_u (local.tee $y (i32.add (local.get $y) (i32.const 1))) (local.get $oh))))
          (local.set $col (i32.add (local.get $col) (i32.shl (local.get $pitch) (i32.const 2))))
          (br_if $jl (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
        (br_if $il (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
      (br_if $cl (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $ch)))))

  ;; ---- elementwise, pooling, optimiser ----------------------------------------------------
  ;; Every loop below takes four floats a step while four remain, then one float a step through
  ;; the same vector code (v128.load32_zero / v128.store32_lane), so each op is written once.

  ;; out[i] = f(x[i]) for i in [0, n), f by kind (MAP_KINDS in simd.ts):
  ;;   kinds: 0 relu, 1 step, 2 affine
  ;; relu is x > 0 ? x : 0 (as JS: NaN gives 0), step x > 0 ? 1 : 0, affine x*a + b. Any other kind traps.
  (func $map (param $kind i32) (param $x i32) (param $out i32) (param $n i32) (param $a f32) (param $b f32)
    (local $end i32) (local $st i32) (local $v v128) (local $va v128) (local $vb v128)
    (if (i32.gt_u (local.get $kind) (i32.const 2)) (then unreachable))
    (local.set $va (f32x4.splat (local.get $a)))
    (local.set $vb (f32x4.splat (local.get $b)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $x)) (i32.const 16))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (local.set $v (v128.load (local.get $x))))
        (else (local.set $v (v128.load32_zero (local.get $x)))))
      (if (i32.eqz (local.get $kind))
        (then (local.set $v (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $v))))
        (else (if (i32.eq (local.get $kind) (i32.const 1))
          (then (local.set $v (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))))
          (else (local.set $v (f32x4.add (f32x4.mul (local.get $v) (local.get $va)) (local.get $vb)))))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (v128.store (local.get $out) (local.get $v)))
        (else (v128.store32_lane 0 (local.get $out) (local.get $v))))
      (local.set $x (i32.add (local.get $x) (local.get $st)))
      (local.set $out (i32.add (local.get $out) (local.get $st)))
      (br $l))))

  ;; out[i0][i1][i2] = a[..] op b[..] over a d0 x d1 x d2 box (out contiguous), where operand
  ;; element (i0,i1,i2) is at i0*s0 + i1*s1 + i2*s2 (element strides; s2 is 0 or 1: a 0 stride
  ;; broadcasts one value along the row). The op by kind (ZIP_KINDS in simd.ts); any other kind traps:
  ;;   kinds: 0 add, 1 sub, 2 mul, 3 div
  (func $zip (param $kind i32)
             (param $a i32) (param $sa0 i32) (param $sa1 i32) (param $sa2 i32)
             (param $b i32) (param $sb0 i32) (param $sb1 i32) (param $sb2 i32)
             (param $out i32) (param $d0 i32) (param $d1 i32) (param $d2 i32)
    (local $i0 i32) (local $i1 i32) (local $pa i32) (local $pb i32) (local $end i32) (local $st i32)
    (local $va v128) (local $vb v128) (local $sa v128) (local $sb v128) (local $v v128)
    (if (i32.gt_u (local.get $kind) (i32.const 3)) (then unreachable))
    (if (i32.eqz (i32.mul (i32.mul (local.get $d0) (local.get $d1)) (local.get $d2))) (then (return)))
    (loop $l0
      (local.set $i1 (i32.const 0))
      (loop $l1
        (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $sa0)) (i32.mul (local.get $i1) (local.get $sa1))) (i32.const 2))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $sb0)) (i32.mul (local.get $i1) (local.get $sb1))) (i32.const 2))))
        (local.set $sa (v128.load32_splat (local.get $pa)))
        (local.set $sb (v128.load32_splat (local.get $pb)))
        (local.set $end (i32.add (local.get $out) (i32.shl (local.get $d2) (i32.const 2))))
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
          (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $out)) (i32.const 16))))
          (local.set $va (local.get $sa))
          (if (local.get $sa2) (then
            (if (i32.eq (local.get $st) (i32.const 16))
              (then (local.set $va (v128.load (local.get $pa))))
              (else (local.set $va (v128.load32_zero (local.get $pa)))))
            (local.set $pa (i32.add (local.get $pa) (local.get $st)))))
          (local.set $vb (local.get $sb))
          (if (local.get $sb2) (then
            (if (i32.eq (local.get $st) (i32.const 16))
              (then (local.set $vb (v128.load (local.get $pb))))
              (else (local.set $vb (v128.load32_zero (local.get $pb)))))
            (local.set $pb (i32.add (local.get $pb) (local.get $st)))))
          (if (i32.eqz (local.get $kind))
            (then (local.set $v (f32x4.add (local.get $va) (local.get $vb))))
            (else (if (i32.eq (local.get $kind) (i32.const 1))
              (then (local.set $v (f32x4.sub (local.get $va) (local.get $vb))))
              (else (if (i32.eq (local.get $kind) (i32.const 2))
                (then (local.set $v (f32x4.mul (local.get $va) (local.get $vb))))
                (else (local.set $v (f32x4.div (local.get $va) (local.get $vb)))))))))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (v128.store (local.get $out) (local.get $v)))
            (else (v128.store32_lane 0 (local.get $out) (local.get $v))))
          (local.set $out (i32.add (local.get $out) (local.get $st)))
          (br $l)))
        (br_if $l1 (i32.lt_u (local.tee $i1 (i32.add (local.get $i1) (i32.const 1))) (local.get $d1))))
      (br_if $l0 (i32.lt_u (local.tee $i0 (i32.add (local.get $i0) (i32.const 1))) (local.get $d0)))))

  ;; out[r] = sum of x[r*len .. r*len + len) for r in [0, rows): four partial sums, then added.
  (func $rowsum (param $x i32) (param $rows i32) (param $len i32) (param $out i32)
    (local $end i32) (local $st i32) (local $acc v128)
    (if (i32.eqz (local.get $rows)) (then (return)))
    (loop $r
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $end (i32.add (local.get $x) (i32.shl (local.get $len) (i32.const 2))))
      (block $done (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $x)) (i32.const 16))))
        (if (i32.eq (local.get $st) (i32.const 16))
          (then (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $x)))))
          (else (local.set $acc (f32x4.add (local.get $acc) (v128.load32_zero (local.get $x))))))
        (local.set $x (i32.add (local.get $x) (local.get $st)))
        (br $l)))
      (f32.store (local.get $out)
        (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                 (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; Max pooling without padding or dilation over `planes` planes of h x w: each output is the
  ;; max of its kh x kw window at (oy*sh, ox*sw); argmax (int32) is its index iy*w + ix within
  ;; the plane, the first of equal maxima (a strict > as in JS; a NaN never wins). Comparisons are
  ;; branchless (select): on real activations a branch mispredicts about half the time. The
  ;; common 2x2 window with stride 2 takes four outputs a step: the even and odd columns of two
  ;; rows, split apart with shuffles, then the same four compares lane by lane.
  (func $maxpool (param $x i32) (param $planes i32) (param $h i32) (param $w i32) (param $kh i32) (param $kw i32)
                 (param $sh i32) (param $sw i32) (param $oh i32) (param $ow i32) (param $out i32) (param $arg i32)
    (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $base i32) (local $row i32)
    (local $best i32) (local $bv f32) (local $v f32) (local $quad i32) (local $p i32)
    (local $a v128) (local $b v128) (local $e v128) (local $o v128) (local $m v128) (local $vv v128) (local $vi v128) (local $i0 v128)
    (if (i32.eqz (i32.mul (local.get $planes) (i32.mul (local.get $oh) (local.get $ow)))) (then (return)))
    (local.set $quad (i32.and (i32.and (i32.eq (local.get $kh) (i32.const 2)) (i32.eq (local.get $kw) (i32.const 2)))
                              (i32.and (i32.eq (local.get $sh) (i32.const 2)) (i32.eq (local.get $sw) (i32.const 2)))))
    (loop $plane
      (local.set $oy (i32.const 0))
      (loop $y
        (local.set $ox (i32.const 0))
        (loop $xl
          ;; base: the window's top-left index in the plane
          (local.set $base (i32.add (i32.mul (i32.mul (local.get $oy) (local.get $sh)) (local.get $w)) (i32.mul (local.get $ox) (local.get $sw))))
          (if (i32.and (local.get $quad) (i32.le_u (i32.add (local.get $ox) (i32.const 4)) (local.get $ow)))
            (then
              (local.set $p (i32.add (local.get $x) (i32.shl (local.get $base) (i32.const 2))))
              (local.set $i0 (i32x4.add (i32x4.splat (local.get $base)) (v128.const i32x4 0 2 4 6)))
              ;; top row: even columns are taps (0,0), odd (0,1)
              (local.set $a (v128.load (local.get $p)))
              (local.set $b (v128.load offset=16 (local.get $p)))
              (local.set $vv (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
              (local.set $vi (local.get $i0))
              (local.set $o (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
              (local.set $m (f32x4.gt (local.get $o) (local.get $vv)))
              (local.set $vv (v128.bitselect (local.get $o) (local.get $vv) (local.get $m)))
              (local.set $vi (v128.bitselect (i32x4.add (local.get $i0) (v128.const i32x4 1 1 1 1)) (local.get $vi) (local.get $m)))
              ;; bottom row: taps (1,0) and (1,1)
              (local.set $p (i32.add (local.get $p) (i32.shl (local.get $w) (i32.const 2))))
              (local.set $i0 (i32x4.add (local.get $i0) (i32x4.splat (local.get $w))))
              (local.set $a (v128.load (local.get $p)))
              (local.set $b (v128.load offset=16 (local.get $p)))
              (local.set $e (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
              (local.set $o (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
              (local.set $m (f32x4.gt (local.get $e) (local.get $vv)))
              (local.set $vv (v128.bitselect (local.get $e) (local.get $vv) (local.get $m)))
              (local.set $vi (v128.bitselect (local.get $i0) (local.get $vi) (local.get $m)))
              (local.set $m (f32x4.gt (local.get $o) (local.get $vv)))
              (local.set $vv (v128.bitselect (local.get $o) (local.get $vv) (local.get $m)))
              (local.set $vi (v128.bitselect (i32x4.add (local.get $i0) (v128.const i32x4 1 1 1 1)) (local.get $vi) (local.get $m)))
              (v128.store (local.get $out) (local.get $vv))
              (v128.store (local.get $arg) (local.get $vi))
              (local.set $out (i32.add (local.get $out) (i32.const 16)))
              (local.set $arg (i32.add (local.get $arg) (i32.const 16)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 4))))
            (else
              (local.set $best (local.get $base))
              (local.set $bv (f32.load (i32.add (local.get $x) (i32.shl (local.get $base) (i32.const 2)))))
              (local.set $ky (i32.const 0))
              (loop $wy
                (local.set $row (i32.add (local.get $base) (i32.mul (local.get $ky) (local.get $w))))
                (local.set $kx (i32.const 0))
                (loop $wx
                  (local.set $v (f32.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $row) (local.get $kx)) (i32.const 2)))))
                  (local.set $best (select (i32.add (local.get $row) (local.get $kx)) (local.get $best) (f32.gt (local.get $v) (local.get $bv))))
                  (local.set $bv (select (local.get $v) (local.get $bv) (f32.gt (local.get $v) (local.get $bv))))
                  (br_if $wx (i32.lt_u (local.tee $kx (i32.add (local.get $kx) (i32.const 1))) (local.get $kw))))
                (br_if $wy (i32.lt_u (local.tee $ky (i32.add (local.get $ky) (i32.const 1))) (local.get $kh))))
              (f32.store (local.get $out) (local.get $bv))
              (i32.store (local.get $arg) (local.get $best))
              (local.set $out (i32.add (local.get $out) (i32.const 4)))
              (local.set $arg (i32.add (local.get $arg) (i32.const 4)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 1)))))
          (br_if $xl (i32.lt_u (local.get $ox) (local.get $ow))))
        (br_if $y (i32.lt_u (local.tee $oy (i32.add (local.get $oy) (i32.const 1))) (local.get $oh))))
      (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (local.get $h) (local.get $w)) (i32.const 2))))
      (br_if $plane (local.tee $planes (i32.sub (local.get $planes) (i32.const 1))))))

  ;; The adjoint of max pooling: dx (planes of hw floats) is zeroed, then each dy[i] is added at
  ;; its plane's argmax[i]; dy and argmax hold ohw values a plane.
  (func $maxpool_back (param $dy i32) (param $arg i32) (param $planes i32) (param $ohw i32) (param $hw i32) (param $dx i32)
    (local $i i32) (local $p i32)
    (memory.fill (local.get $dx) (i32.const 0) (i32.shl (i32.mul (local.get $planes) (local.get $hw)) (i32.const 2)))
    (if (i32.eqz (i32.mul (local.get $planes) (local.get $ohw))) (then (return)))
    (loop $plane
      (local.set $i (local.get $ohw))
      (loop $l
        (local.set $p (i32.add (local.get $dx) (i32.shl (i32.load (local.get $arg)) (i32.const 2))))
        (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (local.get $dy))))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $arg (i32.add (local.get $arg) (i32.const 4)))
        (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
      (local.set $dx (i32.add (local.get $dx) (i32.shl (local.get $hw) (i32.const 2))))
      (br_if $plane (local.tee $planes (i32.sub (local.get $planes) (i32.const 1))))))

  ;; Adam (PyTorch's rule), in place on n floats: g' = g + l2*p; m = b1*m + c1*g';
  ;; v = b2*v + c2*g'^2; p = p*decay - lr*(m/bc1) / (sqrt(v/bc2) + eps). (c1 = 1 - b1 and
  ;; c2 = 1 - b2 come computed in float64, as the JS kernel has them.)
  (func $adam (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
              (param $lr f32) (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
              (param $eps f32) (param $bc1 f32) (param $bc2 f32) (param $l2 f32) (param $decay f32)
    (local $end i32) (local $st i32) (local $vp v128) (local $vg v128) (local $vm v128) (local $vv v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then
          (local.set $vp (v128.load (local.get $p))) (local.set $vg (v128.load (local.get $g)))
          (local.set $vm (v128.load (local.get $m))) (local.set $vv (v128.load (local.get $v))))
        (else
          (local.set $vp (v128.load32_zero (local.get $p))) (local.set $vg (v128.load32_zero (local.get $g)))
          (local.set $vm (v128.load32_zero (local.get $m))) (local.set $vv (v128.load32_zero (local.get $v)))))
      (local.set $vg (f32x4.add (local.get $vg) (f32x4.mul (f32x4.splat (local.get $l2)) (local.get $vp))))
      (local.set $vm (f32x4.add (f32x4.mul (f32x4.splat (local.get $b1)) (local.get $vm)) (f32x4.mul (f32x4.splat (local.get $c1)) (local.get $vg))))
      (local.set $vv (f32x4.add (f32x4.mul (f32x4.splat (local.get $b2)) (local.get $vv))
                                (f32x4.mul (f32x4.mul (f32x4.splat (local.get $c2)) (local.get $vg)) (local.get $vg))))
      (local.set $vp (f32x4.sub (f32x4.mul (local.get $vp) (f32x4.splat (local.get $decay)))
        (f32x4.div (f32x4.mul (f32x4.splat (local.get $lr)) (f32x4.div (local.get $vm) (f32x4.splat (local.get $bc1))))
                   (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (f32x4.splat (local.get $bc2)))) (f32x4.splat (local.get $eps))))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then
          (v128.store (local.get $p) (local.get $vp)) (v128.store (local.get $m) (local.get $vm)) (v128.store (local.get $v) (local.get $vv)))
        (else
          (v128.store32_lane 0 (local.get $p) (local.get $vp)) (v128.store32_lane 0 (local.get $m) (local.get $vm))
          (v128.store32_lane 0 (local.get $v) (local.get $vv))))
      (local.set $p (i32.add (local.get $p) (local.get $st)))
      (local.set $g (i32.add (local.get $g) (local.get $st)))
      (local.set $m (i32.add (local.get $m) (local.get $st)))
      (local.set $v (i32.add (local.get $v) (local.get $st)))
      (br $l))))

  ;; A strided copy of a d0 x d1 x d2 box: out[i0*t0 + i1*t1 + i2] = a[i0*s0 + i1*s1 + i2]
  ;; (element strides; rows contiguous on both sides). It lays a convolution's batch out as one
  ;; matrix (N·C·P <-> C·N·P) so that each convolution is one gemm across the batch.
  (func $gather (param $a i32) (param $s0 i32) (param $s1 i32) (param $out i32) (param $t0 i32) (param $t1 i32)
                (param $d0 i32) (param $d1 i32) (param $d2 i32)
    (local $i0 i32) (local $i1 i32) (local $src i32) (local $dst i32) (local $end i32)
    (if (i32.eqz (i32.mul (i32.mul (local.get $d0) (local.get $d1)) (local.get $d2))) (then (return)))
    (loop $l0
      (local.set $i1 (i32.const 0))
      (loop $l1
        (local.set $src (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $s0)) (i32.mul (local.get $i1) (local.get $s1))) (i32.const 2))))
        (local.set $dst (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $t0)) (i32.mul (local.get $i1) (local.get $t1))) (i32.const 2))))
        (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $d2) (i32.const 2))))
        (block $vdone (loop $v
          (br_if $vdone (i32.gt_u (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
          (v128.store (local.get $dst) (v128.load (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (br $v)))
        (block $sdone (loop $s
          (br_if $sdone (i32.ge_u (local.get $dst) (local.get $end)))
          (f32.store (local.get $dst) (f32.load (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 4)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (br $s)))
        (br_if $l1 (i32.lt_u (local.tee $i1 (i32.add (local.get $i1) (i32.const 1))) (local.get $d1))))
      (br_if $l0 (i32.lt_u (local.tee $i0 (i32.add (local.get $i0) (i32.const 1))) (local.get $d0)))))

  ;; ---- batch normalisation, clamp and leakyRelu (batchnorm.ts) -------------------------------
  ;; x is [N, C, S] (S: the product of the axes after the channel axis); channel c's values are the
  ;; N rows x[(n*C + c)*S .. +S). Each kernel does channels [c0, c1): threads split the channels,
  ;; so every per-channel sum is made by one thread in one order, whatever the thread count. The
  ;; loops walk the memory in order (n outer, then the thread's channels, a contiguous block per
  ;; n), keeping each channel's running sums in `acc` (32 bytes a channel, indexed by c): walking
  ;; channel by channel instead jumps C*S floats per row and ran at half the bandwidth.
  ;; Sums: f32x4 over blocks of at most 16 vectors of a row (16 terms a lane), each block's
  ;; partial sums then added into f64x2 accumulators (promoted as low and high halves; a row's
  ;; tail past its last full vector goes into lane 0 in f64). With f64 arithmetic for every
  ;; element the statistics pass was compute-bound and 2.8x slower ([128,96,16,16], 2 threads).

  ;; mean[c] and the biased variance var[c] of channel c over its N*S values, for c in [c0, c1),
  ;; from sums of d = x - x0 and d*d (x0: the channel's first value, so a mean far from 0 does
  ;; not cancel the variance away).
  (func $bn_stats (param $x i32) (param $n i32) (param $c i32) (param $s i32) (param $c0 i32) (param $c1 i32)
                  (param $mean i32) (param $var i32) (param $acc i32)
    (local $i i32) (local $ch i32) (local $p i32) (local $end i32) (local $a i32) (local $k f32) (local $vk v128)
    (local $d v128) (local $s1 v128) (local $s2 v128) (local $f1 v128) (local $f2 v128) (local $bend i32)
    (local $dd f64) (local $cnt f64) (local $m f64) (local $v f64)
    (memory.fill (i32.add (local.get $acc) (i32.shl (local.get $c0) (i32.const 5))) (i32.const 0)
                 (i32.shl (i32.sub (local.get $c1) (local.get $c0)) (i32.const 5)))
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $ch (local.get $c0))
      (block $cdone (loop $cl
        (br_if $cdone (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $k (f32.load (i32.add (local.get $x) (i32.shl (i32.mul (local.get $ch) (local.get $s)) (i32.const 2)))))
        (local.set $vk (f32x4.splat (local.get $k)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 5))))
        (local.set $s1 (v128.load (local.get $a)))
        (local.set $s2 (v128.load offset=16 (local.get $a)))
        (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $ch)) (local.get $s)) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
        (block $vdone (loop $vl
          (br_if $vdone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
          ;; A block of at most 16 vectors summed in f32x4 (16 terms a lane), then added in f64.
          (local.set $bend (select (i32.add (local.get $p) (i32.const 256)) (local.get $end)
                                   (i32.le_u (i32.add (local.get $p) (i32.const 256)) (local.get $end))))
          (local.set $f1 (v128.const f32x4 0 0 0 0))
          (local.set $f2 (v128.const f32x4 0 0 0 0))
          (loop $bl
            (local.set $d (f32x4.sub (v128.load (local.get $p)) (local.get $vk)))
            (local.set $f1 (f32x4.add (local.get $f1) (local.get $d)))
            (local.set $f2 (f32x4.add (local.get $f2) (f32x4.mul (local.get $d) (local.get $d))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br_if $bl (i32.le_u (i32.add (local.get $p) (i32.const 16)) (local.get $bend))))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.add (f64x2.promote_low_f32x4 (local.get $f1))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $f1) (local.get $f1))))))
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.add (f64x2.promote_low_f32x4 (local.get $f2))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $f2) (local.get $f2))))))
          (br $vl)))
        (block $sdone (loop $sl
          (br_if $sdone (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $dd (f64.promote_f32 (f32.sub (f32.load (local.get $p)) (local.get $k))))
          (local.set $s1 (f64x2.replace_lane 0 (local.get $s1) (f64.add (f64x2.extract_lane 0 (local.get $s1)) (local.get $dd))))
          (local.set $s2 (f64x2.replace_lane 0 (local.get $s2) (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64.mul (local.get $dd) (local.get $dd)))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $sl)))
        (v128.store (local.get $a) (local.get $s1))
        (v128.store offset=16 (local.get $a) (local.get $s2))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $cl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $nl)))
    (local.set $cnt (f64.convert_i32_u (i32.mul (local.get $n) (local.get $s))))
    (block $odone (loop $ol
      (br_if $odone (i32.ge_u (local.get $c0) (local.get $c1)))
      (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $c0) (i32.const 5))))
      (local.set $k (f32.load (i32.add (local.get $x) (i32.shl (i32.mul (local.get $c0) (local.get $s)) (i32.const 2)))))
      (local.set $m (f64.div (f64.add (f64.load (local.get $a)) (f64.load offset=8 (local.get $a))) (local.get $cnt)))
      (local.set $v (f64.sub (f64.div (f64.add (f64.load offset=16 (local.get $a)) (f64.load offset=24 (local.get $a))) (local.get $cnt))
                             (f64.mul (local.get $m) (local.get $m))))
      (f32.store (i32.add (local.get $mean) (i32.shl (local.get $c0) (i32.const 2))) (f32.demote_f64 (f64.add (f64.promote_f32 (local.get $k)) (local.get $m))))
      (f32.store (i32.add (local.get $var) (i32.shl (local.get $c0) (i32.const 2))) (f32.demote_f64 (f64.max (local.get $v) (f64.const 0))))
      (local.set $c0 (i32.add (local.get $c0) (i32.const 1)))
      (br $ol))))

  ;; y = (x - mean[c]) * scale[c] + shift[c] for the channels [c0, c1) (scale = rstd * weight).
  (func $bn_apply (param $x i32) (param $y i32) (param $n i32) (param $c i32) (param $s i32) (param $c0 i32) (param $c1 i32)
                  (param $mean i32) (param $scale i32) (param $shift i32)
    (local $i i32) (local $ch i32) (local $off i32) (local $p i32) (local $q i32) (local $end i32) (local $st i32)
    (local $vm v128) (local $va v128) (local $vb v128) (local $v v128)
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $ch (local.get $c0))
      (block $cdone (loop $cl
        (br_if $cdone (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $vm (v128.load32_splat (i32.add (local.get $mean) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $va (v128.load32_splat (i32.add (local.get $scale) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $vb (v128.load32_splat (i32.add (local.get $shift) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $off (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $ch)) (local.get $s)) (i32.const 2)))
        (local.set $p (i32.add (local.get $x) (local.get $off)))
        (local.set $q (i32.add (local.get $y) (local.get $off)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16))))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (local.set $v (v128.load (local.get $p))))
            (else (local.set $v (v128.load32_zero (local.get $p)))))
          (local.set $v (f32x4.add (f32x4.mul (f32x4.sub (local.get $v) (local.get $vm)) (local.get $va)) (local.get $vb)))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (v128.store (local.get $q) (local.get $v)))
            (else (v128.store32_lane 0 (local.get $q) (local.get $v))))
          (local.set $p (i32.add (local.get $p) (local.get $st)))
          (local.set $q (i32.add (local.get $q) (local.get $st)))
          (br $l)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $cl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $nl))))

  ;; The training-mode gradient for the channels [c0, c1). With xc = x - mean[c], f64 sums
  ;; g1 = sum dy and g2 = sum dy*xc; then dbias[c] = g1, dweight[c] = rstd*g2, and
  ;; dx = k1*dy + k2*xc + k3, k1 = rstd*w, k2 = -w*rstd^3*g2/cnt, k3 = -rstd*w*g1/cnt
  ;; (that is rstd*w*(dy - mean(dy) - xhat*mean(dy*xhat)) with xhat = xc*rstd). acc holds the
  ;; sums, then k1, k2, k3 as f32.
  (func $bn_back (param $dy i32) (param $x i32) (param $dx i32) (param $n i32) (param $c i32) (param $s i32)
                 (param $c0 i32) (param $c1 i32) (param $mean i32) (param $rstd i32) (param $w i32) (param $dw i32) (param $db i32)
                 (param $acc i32)
    (local $i i32) (local $ch i32) (local $off i32) (local $p i32) (local $q i32) (local $o i32) (local $end i32) (local $st i32) (local $a i32) (local $bend i32)
    (local $m f32) (local $vm v128) (local $g v128) (local $d v128) (local $lo v128) (local $hi v128)
    (local $s1 v128) (local $s2 v128) (local $cnt f64) (local $r f64) (local $wt f64) (local $g1 f64) (local $g2 f64)
    (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $v v128)
    (memory.fill (i32.add (local.get $acc) (i32.shl (local.get $c0) (i32.const 5))) (i32.const 0)
                 (i32.shl (i32.sub (local.get $c1) (local.get $c0)) (i32.const 5)))
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $ch (local.get $c0))
      (block $cdone (loop $cl
        (br_if $cdone (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $m (f32.load (i32.add (local.get $mean) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $vm (f32x4.splat (local.get $m)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 5))))
        (local.set $s1 (v128.load (local.get $a)))
        (local.set $s2 (v128.load offset=16 (local.get $a)))
        (local.set $off (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $ch)) (local.get $s)) (i32.const 2)))
        (local.set $p (i32.add (local.get $dy) (local.get $off)))
        (local.set $q (i32.add (local.get $x) (local.get $off)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
        (block $vdone (loop $vl
          (br_if $vdone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
          ;; Blocks of at most 16 vectors in f32x4, then f64, as in $bn_stats.
          (local.set $bend (select (i32.add (local.get $p) (i32.const 256)) (local.get $end)
                                   (i32.le_u (i32.add (local.get $p) (i32.const 256)) (local.get $end))))
          (local.set $lo (v128.const f32x4 0 0 0 0))
          (local.set $hi (v128.const f32x4 0 0 0 0))
          (loop $bl
            (local.set $g (v128.load (local.get $p)))
            (local.set $lo (f32x4.add (local.get $lo) (local.get $g)))
            (local.set $hi (f32x4.add (local.get $hi) (f32x4.mul (local.get $g) (f32x4.sub (v128.load (local.get $q)) (local.get $vm)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br_if $bl (i32.le_u (i32.add (local.get $p) (i32.const 16)) (local.get $bend))))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.add (f64x2.promote_low_f32x4 (local.get $lo))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))))
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.add (f64x2.promote_low_f32x4 (local.get $hi))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi))))))
          (br $vl)))
        (block $sdone (loop $sl
          (br_if $sdone (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $s1 (f64x2.replace_lane 0 (local.get $s1) (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64.promote_f32 (f32.load (local.get $p))))))
          (local.set $s2 (f64x2.replace_lane 0 (local.get $s2) (f64.add (f64x2.extract_lane 0 (local.get $s2))
            (f64.promote_f32 (f32.mul (f32.load (local.get $p)) (f32.sub (f32.load (local.get $q)) (local.get $m)))))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (br $sl)))
        (v128.store (local.get $a) (local.get $s1))
        (v128.store offset=16 (local.get $a) (local.get $s2))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $cl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $nl)))
    (local.set $cnt (f64.convert_i32_u (i32.mul (local.get $n) (local.get $s))))
    (local.set $ch (local.get $c0))
    (block $kdone (loop $kl
      (br_if $kdone (i32.ge_u (local.get $ch) (local.get $c1)))
      (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 5))))
      (local.set $g1 (f64.add (f64.load (local.get $a)) (f64.load offset=8 (local.get $a))))
      (local.set $g2 (f64.add (f64.load offset=16 (local.get $a)) (f64.load offset=24 (local.get $a))))
      (local.set $r (f64.promote_f32 (f32.load (i32.add (local.get $rstd) (i32.shl (local.get $ch) (i32.const 2))))))
      (local.set $wt (f64.promote_f32 (f32.load (i32.add (local.get $w) (i32.shl (local.get $ch) (i32.const 2))))))
      (f32.store (i32.add (local.get $db) (i32.shl (local.get $ch) (i32.const 2))) (f32.demote_f64 (local.get $g1)))
      (f32.store (i32.add (local.get $dw) (i32.shl (local.get $ch) (i32.const 2))) (f32.demote_f64 (f64.mul (local.get $r) (local.get $g2))))
      (f32.store (local.get $a) (f32.demote_f64 (f64.mul (local.get $r) (local.get $wt))))
      (f32.store offset=4 (local.get $a) (f32.demote_f64 (f64.div (f64.mul (f64.neg (local.get $wt)) (f64.mul (f64.mul (local.get $r) (local.get $r)) (f64.mul (local.get $r) (local.get $g2)))) (local.get $cnt))))
      (f32.store offset=8 (local.get $a) (f32.demote_f64 (f64.div (f64.mul (f64.neg (f64.mul (local.get $r) (local.get $wt))) (local.get $g1)) (local.get $cnt))))
      (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
      (br $kl)))
    (local.set $i (i32.const 0))
    (block $n2done (loop $n2l
      (br_if $n2done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $ch (local.get $c0))
      (block $c2done (loop $c2l
        (br_if $c2done (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 5))))
        (local.set $v1 (v128.load32_splat (local.get $a)))
        (local.set $v2 (v128.load32_splat offset=4 (local.get $a)))
        (local.set $v3 (v128.load32_splat offset=8 (local.get $a)))
        (local.set $vm (v128.load32_splat (i32.add (local.get $mean) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $off (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $ch)) (local.get $s)) (i32.const 2)))
        (local.set $p (i32.add (local.get $dy) (local.get $off)))
        (local.set $q (i32.add (local.get $x) (local.get $off)))
        (local.set $o (i32.add (local.get $dx) (local.get $off)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16))))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (local.set $g (v128.load (local.get $p))) (local.set $d (v128.load (local.get $q))))
            (else (local.set $g (v128.load32_zero (local.get $p))) (local.set $d (v128.load32_zero (local.get $q)))))
          (local.set $v (f32x4.add (f32x4.add (f32x4.mul (local.get $v1) (local.get $g))
                                              (f32x4.mul (local.get $v2) (f32x4.sub (local.get $d) (local.get $vm)))) (local.get $v3)))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (v128.store (local.get $o) (local.get $v)))
            (else (v128.store32_lane 0 (local.get $o) (local.get $v))))
          (local.set $p (i32.add (local.get $p) (local.get $st)))
          (local.set $q (i32.add (local.get $q) (local.get $st)))
          (local.set $o (i32.add (local.get $o) (local.get $st)))
          (br $l)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $c2l)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $n2l))))

  ;; Activations the generic kernels ran in JS, by kind (ACT_KINDS in batchnorm.ts); any other kind traps:
  ;;   kinds: 0 clamp, 1 clamp_back, 2 leaky_relu
  ;; clamp: out = x < lo ? lo : x > hi ? hi : x (as the JS kernel: NaN stays NaN, -0 stays -0);
  ;; clamp_back: out = g * (lo <= x <= hi ? 1 : 0), g read at $g; leaky_relu: out = x > 0 ? x : lo*x
  ;; (lo: the negative slope; NaN stays NaN).
  (func $act (param $kind i32) (param $x i32) (param $g i32) (param $out i32) (param $n i32) (param $lo f32) (param $hi f32)
    (local $end i32) (local $st i32) (local $v v128) (local $gv v128) (local $vl v128) (local $vh v128)
    (if (i32.gt_u (local.get $kind) (i32.const 2)) (then unreachable))
    (local.set $vl (f32x4.splat (local.get $lo)))
    (local.set $vh (f32x4.splat (local.get $hi)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $x)) (i32.const 16))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (local.set $v (v128.load (local.get $x))))
        (else (local.set $v (v128.load32_zero (local.get $x)))))
      (if (i32.eq (local.get $kind) (i32.const 2))
        (then
          (local.set $v (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $vl)) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))
      (if (i32.eqz (local.get $kind))
        (then
          (local.set $v (v128.bitselect (local.get $vl) (local.get $v) (f32x4.lt (local.get $v) (local.get $vl))))
          (local.set $v (v128.bitselect (local.get $vh) (local.get $v) (f32x4.gt (local.get $v) (local.get $vh))))))
      (if (i32.eq (local.get $kind) (i32.const 1))
        (then
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (local.set $gv (v128.load (local.get $g))))
            (else (local.set $gv (v128.load32_zero (local.get $g)))))
          (local.set $v (f32x4.mul (local.get $gv)
            (v128.and (v128.and (f32x4.ge (local.get $v) (local.get $vl)) (f32x4.le (local.get $v) (local.get $vh))) (v128.const f32x4 1 1 1 1))))
          (local.set $g (i32.add (local.get $g) (local.get $st)))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (v128.store (local.get $out) (local.get $v)))
        (else (v128.store32_lane 0 (local.get $out) (local.get $v))))
      (local.set $x (i32.add (local.get $x) (local.get $st)))
      (local.set $out (i32.add (local.get $out) (local.get $st)))
      (br $l))))

  ;; ---- Transformer rows (issue 16): softmax along the last axis and its backward, layer norm,
  ;; GELU. Each row is worked by one thread with the same instructions whatever the thread count
  ;; (the commands split rows, never a row). Full groups of four go as vectors, the tail of a row
  ;; one float at a time through the same vector code (splat in, lane 0 out).

  ;; exp of four floats (Cephes' range reduction): k = round(x·log2 e), r = x − k·ln 2 (ln 2 in two parts),
  ;; e^r by a degree-5 polynomial, times 2^k made in the exponent bits ($softmax_rows has the same
  ;; steps inline, two vectors interleaved: keep the two alike). x is clamped to
  ;; [−87.33654, 88.37626] (2^k stays a normal float; e^−87.3 is 1e−38, not 0) with pmax/pmin,
  ;; single instructions on x86 where max/min are long NaN-propagating sequences; pmax(x, lo)
  ;; keeps a NaN x, so NaN stays NaN.
  ;; Within 2 ulp of Math.exp on that range.
  (func $exp4 (param $x v128) (result v128)
    (local $xk v128) (local $xr v128) (local $xy v128) (local $xr2 v128)
    ;; k = round(x·log2 e) by adding 1.5·2^23: the sum's low mantissa bits are k (cheaper than
    ;; f32x4.nearest and i32x4.trunc_sat, which V8 expands into long sequences on x86); 2^k is
    ;; k + 127 in the exponent field. e^r = 1 + r·p(r), p of degree 4 fitted (weighted least
    ;; squares to minimax) for relative error 9e-8 on |r| <= ln2/2, in Estrin's form: a shorter
    ;; dependency chain than Horner's, which kept the core waiting on each result.
    (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)) (v128.const f32x4 88.37626 88.37626 88.37626 88.37626)))
    (local.set $xy (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $xk (f32x4.sub (local.get $xy) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $xr (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $xk) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))) (f32x4.mul (local.get $xk) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $xk (i32x4.shl (i32x4.add (local.get $xy) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23)))
    (local.set $xr2 (f32x4.mul (local.get $xr) (local.get $xr)))
    (local.set $xy (f32x4.add (f32x4.add (v128.const f32x4 0.9999997019767761 0.9999997019767761 0.9999997019767761 0.9999997019767761) (f32x4.mul (local.get $xr) (v128.const f32x4 0.4999915063381195 0.4999915063381195 0.4999915063381195 0.4999915063381195))) (f32x4.mul (local.get $xr2) (f32x4.add (v128.const f32x4 0.1666763573884964 0.1666763573884964 0.1666763573884964 0.1666763573884964) (f32x4.mul (local.get $xr) (v128.const f32x4 0.04189793020486832 0.04189793020486832 0.04189793020486832 0.04189793020486832))))))
    (local.set $xy (f32x4.add (local.get $xy) (f32x4.mul (f32x4.mul (local.get $xr2) (local.get $xr2)) (v128.const f32x4 0.008290314115583897 0.008290314115583897 0.008290314115583897 0.008290314115583897))))
    (f32x4.mul (f32x4.add (f32x4.mul (local.get $xy) (local.get $xr)) (v128.const f32x4 1 1 1 1)) (local.get $xk)))

  ;; erf of four floats to float32 accuracy, as erf32 in elementwise.ts: the Maclaurin series to
  ;; x^11 below |x| 0.5, Abramowitz & Stegun 7.1.26 above (both computed, one kept per lane).
  (func $erf4 (param $x v128) (result v128)
    (local $ax v128) (local $x2 v128) (local $s v128) (local $t v128) (local $p v128)
    (local.set $ax (f32x4.abs (local.get $x)))
    (local.set $x2 (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (v128.const f32x4 -7.575757575757576e-4 -7.575757575757576e-4 -7.575757575757576e-4 -7.575757575757576e-4))
                             (v128.const f32x4 4.6296296296296294e-3 4.6296296296296294e-3 4.6296296296296294e-3 4.6296296296296294e-3)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (local.get $s)) (v128.const f32x4 -2.380952380952381e-2 -2.380952380952381e-2 -2.380952380952381e-2 -2.380952380952381e-2)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (local.get $s)) (v128.const f32x4 0.1 0.1 0.1 0.1)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (local.get $s)) (v128.const f32x4 -0.3333333333333333 -0.3333333333333333 -0.3333333333333333 -0.3333333333333333)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (local.get $s)) (v128.const f32x4 1 1 1 1)))
    (local.set $s (f32x4.mul (f32x4.mul (local.get $x) (local.get $s)) (v128.const f32x4 1.1283791670955126 1.1283791670955126 1.1283791670955126 1.1283791670955126)))
    (local.set $t (f32x4.div (v128.const f32x4 1 1 1 1)
      (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $ax) (v128.const f32x4 0.3275911 0.3275911 0.3275911 0.3275911)))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $t) (v128.const f32x4 1.061405429 1.061405429 1.061405429 1.061405429))
                             (v128.const f32x4 -1.453152027 -1.453152027 -1.453152027 -1.453152027)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (v128.const f32x4 1.421413741 1.421413741 1.421413741 1.421413741)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (v128.const f32x4 -0.284496736 -0.284496736 -0.284496736 -0.284496736)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (v128.const f32x4 0.254829592 0.254829592 0.254829592 0.254829592)))
    (local.set $p (f32x4.sub (v128.const f32x4 1 1 1 1)
      (f32x4.mul (f32x4.mul (local.get $t) (local.get $p)) (call $exp4 (f32x4.neg (local.get $x2))))))
    ;; copysign(p, x): the large-|x| branch is computed on |x|.
    (local.set $p (v128.or (v128.and (local.get $p) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
                           (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
    (v128.bitselect (local.get $s) (local.get $p) (f32x4.lt (local.get $ax) (v128.const f32x4 0.5 0.5 0.5 0.5))))

  ;; out[i] = GELU(x[i]) = x·Φ(x) (kind 0) or its derivative Φ(x) + x·φ(x) (kind 1), for i in
  ;; [0, n); Φ(x) = (1 + erf(x/√2))/2, φ(x) = e^(−x²/2)/√(2π). Any other kind traps.
  ;;   kinds: 0 gelu, 1 geluGrad
  (func $gelu (param $kind i32) (param $x i32) (param $out i32) (param $n i32)
    (local $end i32) (local $st i32) (local $v v128) (local $cdf v128)
    (if (i32.gt_u (local.get $kind) (i32.const 1)) (then unreachable))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $x)) (i32.const 16))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (local.set $v (v128.load (local.get $x))))
        (else (local.set $v (v128.load32_zero (local.get $x)))))
      (local.set $cdf (f32x4.add (v128.const f32x4 0.5 0.5 0.5 0.5) (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5)
        (call $erf4 (f32x4.mul (local.get $v) (v128.const f32x4 0.7071067811865476 0.7071067811865476 0.7071067811865476 0.7071067811865476))))))
      (if (i32.eqz (local.get $kind))
        (then (local.set $v (f32x4.mul (local.get $v) (local.get $cdf))))
        (else (local.set $v (f32x4.add (local.get $cdf)
          (f32x4.mul (f32x4.mul (local.get $v) (v128.const f32x4 0.3989422804014327 0.3989422804014327 0.3989422804014327 0.3989422804014327))
            (call $exp4 (f32x4.mul (f32x4.mul (local.get $v) (local.get $v)) (v128.const f32x4 -0.5 -0.5 -0.5 -0.5))))))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (v128.store (local.get $out) (local.get $v)))
        (else (v128.store32_lane 0 (local.get $out) (local.get $v))))
      (local.set $x (i32.add (local.get $x) (local.get $st)))
      (local.set $out (i32.add (local.get $out) (local.get $st)))
      (br $l))))

  ;; Horizontal sum of four lanes, in a fixed order.
  (func $hsum (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; softmax(scale · x) along rows of n: for each of `rows` rows, the max, then e = exp(scale·x − max)
  ;; written to out while summed (four partial sums), then out *= 1/sum. A NaN makes its row NaN
  ;; (pmax skips it in the max, but its exp is NaN, and so is the sum).
  (func $softmax_rows (param $x i32) (param $out i32) (param $rows i32) (param $n i32) (param $scale f32)
    (local $end i32) (local $p i32) (local $q i32) (local $vs v128) (local $m v128) (local $acc v128) (local $e v128)
    (local $mx f32) (local $tail i32)
    (local $a v128) (local $ak v128) (local $ar v128) (local $ay v128) (local $ar2 v128)
    (local $b v128) (local $bk v128) (local $br v128) (local $by v128) (local $br2 v128)
    (if (i32.eqz (i32.mul (local.get $rows) (local.get $n))) (then (return)))
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $tail (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))   ;; bytes in full groups
    (loop $r
      (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
      ;; max: lanes start at the row's first value (never a padding zero)
      (local.set $m (f32x4.splat (f32.mul (f32.load (local.get $x)) (local.get $scale))))
      (local.set $p (local.get $x))
      ;; eight at a time while they last (half the loop overhead a float), then four
      (block $d0 (loop $l0
        (br_if $d0 (i32.gt_u (i32.add (local.get $p) (i32.const 32)) (i32.add (local.get $x) (local.get $tail))))
        (local.set $m (f32x4.pmax (f32x4.pmax (local.get $m) (f32x4.mul (v128.load (local.get $p)) (local.get $vs)))
                                  (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $vs))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $l0)))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $p) (i32.add (local.get $x) (local.get $tail))))
        (local.set $m (f32x4.pmax (local.get $m) (f32x4.mul (v128.load (local.get $p)) (local.get $vs))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l1)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $m (f32x4.pmax (local.get $m) (f32x4.mul (v128.load32_splat (local.get $p)) (local.get $vs))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l2)))
      (local.set $mx (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                              (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
      (local.set $m (f32x4.splat (local.get $mx)))
      ;; exps and their sum
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $p (local.get $x))
      (local.set $q (local.get $out))
      ;; eight at a time, the two exps interleaved (independent chains keep the core busy); the
      ;; arguments are <= 0 here (x − max), so only the lower clamp is needed
      (block $d8 (loop $l8
        (br_if $d8 (i32.gt_u (i32.add (local.get $p) (i32.const 32)) (i32.add (local.get $x) (local.get $tail))))
        (local.set $a (f32x4.sub (f32x4.mul (v128.load (local.get $p)) (local.get $vs)) (local.get $m)))
        (local.set $b (f32x4.sub (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $vs)) (local.get $m)))
        (local.set $a (f32x4.pmax (local.get $a) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)))
        (local.set $b (f32x4.pmax (local.get $b) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)))
        (local.set $ay (f32x4.add (f32x4.mul (local.get $a) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
        (local.set $by (f32x4.add (f32x4.mul (local.get $b) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
        (local.set $ak (f32x4.sub (local.get $ay) (v128.const f32x4 12582912 12582912 12582912 12582912)))
        (local.set $bk (f32x4.sub (local.get $by) (v128.const f32x4 12582912 12582912 12582912 12582912)))
        (local.set $ar (f32x4.sub (f32x4.sub (local.get $a) (f32x4.mul (local.get $ak) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))) (f32x4.mul (local.get $ak) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        (local.set $br (f32x4.sub (f32x4.sub (local.get $b) (f32x4.mul (local.get $bk) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))) (f32x4.mul (local.get $bk) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        (local.set $ak (i32x4.shl (i32x4.add (local.get $ay) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23)))
        (local.set $bk (i32x4.shl (i32x4.add (local.get $by) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23)))
        (local.set $ar2 (f32x4.mul (local.get $ar) (local.get $ar)))
        (local.set $br2 (f32x4.mul (local.get $br) (local.get $br)))
        (local.set $ay (f32x4.add (f32x4.add (v128.const f32x4 0.9999997019767761 0.9999997019767761 0.9999997019767761 0.9999997019767761) (f32x4.mul (local.get $ar) (v128.const f32x4 0.4999915063381195 0.4999915063381195 0.4999915063381195 0.4999915063381195))) (f32x4.mul (local.get $ar2) (f32x4.add (v128.const f32x4 0.1666763573884964 0.1666763573884964 0.1666763573884964 0.1666763573884964) (f32x4.mul (local.get $ar) (v128.const f32x4 0.04189793020486832 0.04189793020486832 0.04189793020486832 0.04189793020486832))))))
        (local.set $by (f32x4.add (f32x4.add (v128.const f32x4 0.9999997019767761 0.9999997019767761 0.9999997019767761 0.9999997019767761) (f32x4.mul (local.get $br) (v128.const f32x4 0.4999915063381195 0.4999915063381195 0.4999915063381195 0.4999915063381195))) (f32x4.mul (local.get $br2) (f32x4.add (v128.const f32x4 0.1666763573884964 0.1666763573884964 0.1666763573884964 0.1666763573884964) (f32x4.mul (local.get $br) (v128.const f32x4 0.04189793020486832 0.04189793020486832 0.04189793020486832 0.04189793020486832))))))
        (local.set $ay (f32x4.add (local.get $ay) (f32x4.mul (f32x4.mul (local.get $ar2) (local.get $ar2)) (v128.const f32x4 0.008290314115583897 0.008290314115583897 0.008290314115583897 0.008290314115583897))))
        (local.set $by (f32x4.add (local.get $by) (f32x4.mul (f32x4.mul (local.get $br2) (local.get $br2)) (v128.const f32x4 0.008290314115583897 0.008290314115583897 0.008290314115583897 0.008290314115583897))))
        (local.set $a (f32x4.mul (f32x4.add (f32x4.mul (local.get $ay) (local.get $ar)) (v128.const f32x4 1 1 1 1)) (local.get $ak)))
        (local.set $b (f32x4.mul (f32x4.add (f32x4.mul (local.get $by) (local.get $br)) (v128.const f32x4 1 1 1 1)) (local.get $bk)))
        (v128.store (local.get $q) (local.get $a))
        (v128.store offset=16 (local.get $q) (local.get $b))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.add (local.get $a) (local.get $b))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br $l8)))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $p) (i32.add (local.get $x) (local.get $tail))))
        (local.set $e (call $exp4 (f32x4.sub (f32x4.mul (v128.load (local.get $p)) (local.get $vs)) (local.get $m))))
        (v128.store (local.get $q) (local.get $e))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $l3)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $e (call $exp4 (f32x4.sub (f32x4.mul (v128.load32_zero (local.get $p)) (local.get $vs)) (local.get $m))))
        (local.set $e (v128.and (local.get $e) (v128.const i32x4 -1 0 0 0)))
        (v128.store32_lane 0 (local.get $q) (local.get $e))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $l4)))
      (local.set $e (f32x4.splat (f32.div (f32.const 1) (call $hsum (local.get $acc)))))
      ;; scale by 1/sum
      (local.set $q (local.get $out))
      (block $d7 (loop $l7
        (br_if $d7 (i32.gt_u (i32.add (local.get $q) (i32.const 32)) (i32.add (local.get $out) (local.get $tail))))
        (v128.store (local.get $q) (f32x4.mul (v128.load (local.get $q)) (local.get $e)))
        (v128.store offset=16 (local.get $q) (f32x4.mul (v128.load offset=16 (local.get $q)) (local.get $e)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br $l7)))
      (block $d5 (loop $l5
        (br_if $d5 (i32.ge_u (local.get $q) (i32.add (local.get $out) (local.get $tail))))
        (v128.store (local.get $q) (f32x4.mul (v128.load (local.get $q)) (local.get $e)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $l5)))
      (block $d6 (loop $l6
        (br_if $d6 (i32.ge_u (local.get $q) (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2)))))
        (f32.store (local.get $q) (f32.mul (f32.load (local.get $q)) (f32x4.extract_lane 0 (local.get $e))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $l6)))
      (local.set $x (local.get $end))
      (local.set $out (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; The softmax's backward along rows of n: dx = scale · y · (g − Σ g·y), the dot product in
  ;; four partial sums. (y = 0 where a mask excluded a position, so those get 0.)
  (func $softmax_back_rows (param $y i32) (param $g i32) (param $out i32) (param $rows i32) (param $n i32) (param $scale f32)
    (local $i i32) (local $len i32) (local $tail i32) (local $acc v128) (local $d v128) (local $vs v128)
    (if (i32.eqz (i32.mul (local.get $rows) (local.get $n))) (then (return)))
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $len (i32.shl (local.get $n) (i32.const 2)))
    (local.set $tail (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (loop $r
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $i) (local.get $tail)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $y) (local.get $i))) (v128.load (i32.add (local.get $g) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l1)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load32_zero (i32.add (local.get $y) (local.get $i))) (v128.load32_zero (i32.add (local.get $g) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l2)))
      (local.set $d (f32x4.splat (call $hsum (local.get $acc))))
      (local.set $i (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $i) (local.get $tail)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $y) (local.get $i))) (local.get $vs))
                     (f32x4.sub (v128.load (i32.add (local.get $g) (local.get $i))) (local.get $d))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l3)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $i) (local.get $len)))
        (v128.store32_lane 0 (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (f32x4.mul (v128.load32_zero (i32.add (local.get $y) (local.get $i))) (local.get $vs))
                     (f32x4.sub (v128.load32_zero (i32.add (local.get $g) (local.get $i))) (local.get $d))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l4)))
      (local.set $y (i32.add (local.get $y) (local.get $len)))
      (local.set $g (i32.add (local.get $g) (local.get $len)))
      (local.set $out (i32.add (local.get $out) (local.get $len)))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; Layer norm along rows of n: mean, then the biased variance of x − mean (four partial sums
  ;; each), then out = (x − mean) · 1/√(var + eps) · w + b, w (flags bit 0) and b (bit 1) [n].
  (func $layernorm (param $x i32) (param $w i32) (param $b i32) (param $out i32) (param $rows i32) (param $n i32)
                   (param $eps f32) (param $flags i32)
    (local $i i32) (local $len i32) (local $tail i32) (local $acc v128) (local $mu v128) (local $rs v128) (local $v v128)
    (local $t f32)
    (if (i32.eqz (i32.mul (local.get $rows) (local.get $n))) (then (return)))
    (local.set $len (i32.shl (local.get $n) (i32.const 2)))
    (local.set $tail (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (loop $r
      ;; the mean
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $i) (local.get $tail)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l1)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load32_zero (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l2)))
      (local.set $mu (f32x4.splat (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $n)))))
      ;; the variance
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $i) (local.get $tail)))
        (local.set $v (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $mu)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $v) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l3)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $t (f32.sub (f32.load (i32.add (local.get $x) (local.get $i))) (f32x4.extract_lane 0 (local.get $mu))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.replace_lane 0 (v128.const f32x4 0 0 0 0) (f32.mul (local.get $t) (local.get $t)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l4)))
      (local.set $rs (f32x4.splat (f32.div (f32.const 1) (f32.sqrt (f32.add (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $n))) (local.get $eps))))))
      ;; the output
      (local.set $i (i32.const 0))
      (block $d5 (loop $l5
        (br_if $d5 (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.lt_u (local.get $i) (local.get $tail))
          (then (local.set $v (v128.load (i32.add (local.get $x) (local.get $i)))))
          (else (local.set $v (v128.load32_zero (i32.add (local.get $x) (local.get $i))))))
        (local.set $v (f32x4.mul (f32x4.sub (local.get $v) (local.get $mu)) (local.get $rs)))
        (if (i32.and (local.get $flags) (i32.const 1)) (then
          (if (i32.lt_u (local.get $i) (local.get $tail))
            (then (local.set $v (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $w) (local.get $i))))))
            (else (local.set $v (f32x4.mul (local.get $v) (v128.load32_zero (i32.add (local.get $w) (local.get $i)))))))))
        (if (i32.and (local.get $flags) (i32.const 2)) (then
          (if (i32.lt_u (local.get $i) (local.get $tail))
            (then (local.set $v (f32x4.add (local.get $v) (v128.load (i32.add (local.get $b) (local.get $i))))))
            (else (local.set $v (f32x4.add (local.get $v) (v128.load32_zero (i32.add (local.get $b) (local.get $i)))))))))
        (if (i32.lt_u (local.get $i) (local.get $tail))
          (then (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $v))
                (local.set $i (i32.add (local.get $i) (i32.const 16))))
          (else (v128.store32_lane 0 (i32.add (local.get $out) (local.get $i)) (local.get $v))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))))
        (br $l5)))
      (local.set $x (i32.add (local.get $x) (local.get $len)))
      (local.set $out (i32.add (local.get $out) (local.get $len)))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; Lanes of a mask vector that do not exclude their position (mask == 0), as all-ones lanes;
  ;; the mask is int32 when $int, else float32 (where −0 is 0 and NaN excludes, as in JS).
  (func $kept4 (param $mv v128) (param $int i32) (result v128)
    (if (result v128) (local.get $int)
      (then (i32x4.eq (local.get $mv) (v128.const i32x4 0 0 0 0)))
      (else (f32x4.eq (local.get $mv) (v128.const f32x4 0 0 0 0)))))

  ;; Masked softmax(scale · x) along rows of n, as maskedSoftmaxInto in reduce.ts: row r's mask
  ;; row starts at element moffs[r] of `mask` (contiguous along the row; int32 when $int); an
  ;; excluded position gets exactly 0, an all-excluded row is all zeros. Max over the kept values,
  ;; exps of the kept ones summed (four partial sums), then out *= 1/sum on the kept positions.
  (func $masked_softmax_rows (param $x i32) (param $out i32) (param $rows i32) (param $n i32) (param $scale f32)
                             (param $mask i32) (param $moffs i32) (param $int i32)
    (local $i i32) (local $len i32) (local $tail i32) (local $mr i32) (local $vs v128) (local $m v128) (local $acc v128)
    (local $any v128) (local $k v128) (local $v v128) (local $rcp v128)
    (if (i32.eqz (i32.mul (local.get $rows) (local.get $n))) (then (return)))
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $len (i32.shl (local.get $n) (i32.const 2)))
    (local.set $tail (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (loop $r
      (local.set $mr (i32.add (local.get $mask) (i32.shl (i32.load (local.get $moffs)) (i32.const 2))))
      ;; the max of the kept values (excluded lanes read as −inf), and whether any is kept
      (local.set $m (v128.const f32x4 -inf -inf -inf -inf))
      (local.set $any (v128.const i32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.lt_u (local.get $i) (local.get $tail))
          (then (local.set $k (call $kept4 (v128.load (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (local.set $v (v128.load (i32.add (local.get $x) (local.get $i)))))
          (else (local.set $k (call $kept4 (v128.load32_splat (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (local.set $v (v128.load32_splat (i32.add (local.get $x) (local.get $i))))))
        (local.set $m (f32x4.pmax (local.get $m)
          (v128.bitselect (f32x4.mul (local.get $v) (local.get $vs)) (v128.const f32x4 -inf -inf -inf -inf) (local.get $k))))
        (local.set $any (v128.or (local.get $any) (local.get $k)))
        (local.set $i (i32.add (local.get $i) (select (i32.const 16) (i32.const 4) (i32.lt_u (local.get $i) (local.get $tail)))))
        (br $l1)))
      (if (v128.any_true (local.get $any))
        (then
          (local.set $m (f32x4.splat (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                                              (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m))))))
          ;; exps of the kept values (0 elsewhere), summed
          (local.set $acc (v128.const f32x4 0 0 0 0))
          (local.set $i (i32.const 0))
          (block $d2 (loop $l2
            (br_if $d2 (i32.ge_u (local.get $i) (local.get $len)))
            (if (i32.lt_u (local.get $i) (local.get $tail))
              (then
                (local.set $k (call $kept4 (v128.load (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (local.set $v (v128.and (local.get $k)
                  (call $exp4 (f32x4.sub (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $vs)) (local.get $m)))))
                (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $v))
                (local.set $i (i32.add (local.get $i) (i32.const 16))))
              (else
                (local.set $k (v128.and (v128.const i32x4 -1 0 0 0)
                  (call $kept4 (v128.load32_splat (i32.add (local.get $mr) (local.get $i))) (local.get $int))))
                (local.set $v (v128.and (local.get $k)
                  (call $exp4 (f32x4.sub (f32x4.mul (v128.load32_splat (i32.add (local.get $x) (local.get $i))) (local.get $vs)) (local.get $m)))))
                (v128.store32_lane 0 (i32.add (local.get $out) (local.get $i)) (local.get $v))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))))
            (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))
            (br $l2)))
          (local.set $rcp (f32x4.splat (f32.div (f32.const 1) (call $hsum (local.get $acc)))))
          ;; scale the kept positions (an excluded one stays 0 even when the sum is NaN)
          (local.set $i (i32.const 0))
          (block $d3 (loop $l3
            (br_if $d3 (i32.ge_u (local.get $i) (local.get $len)))
            (if (i32.lt_u (local.get $i) (local.get $tail))
              (then
                (local.set $k (call $kept4 (v128.load (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (v128.store (i32.add (local.get $out) (local.get $i))
                  (v128.and (local.get $k) (f32x4.mul (v128.load (i32.add (local.get $out) (local.get $i))) (local.get $rcp))))
                (local.set $i (i32.add (local.get $i) (i32.const 16))))
              (else
                (local.set $k (call $kept4 (v128.load32_splat (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (v128.store32_lane 0 (i32.add (local.get $out) (local.get $i))
                  (v128.and (local.get $k) (f32x4.mul (v128.load32_splat (i32.add (local.get $out) (local.get $i))) (local.get $rcp))))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))))
            (br $l3))))
        (else (memory.fill (local.get $out) (i32.const 0) (local.get $len))))
      (local.set $x (i32.add (local.get $x) (local.get $len)))
      (local.set $out (i32.add (local.get $out) (local.get $len)))
      (local.set $moffs (i32.add (local.get $moffs) (i32.const 4)))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; Embedding gradients: out[idx[j]][c] += src[j][c] for j in [0, m), c in [0, width), after
  ;; zeroing out's `len` rows over those columns; rows are `pitch` floats apart on both sides
  ;; (the commands split the columns, so each sum runs in j order on any thread count). The
  ;; indices were checked against len by the caller.
  (func $scatter_add (param $src i32) (param $idx i32) (param $m i32) (param $pitch i32) (param $width i32)
                     (param $out i32) (param $len i32)
    (local $r i32) (local $i i32) (local $d i32) (local $s i32) (local $wb i32) (local $tail i32) (local $pb i32)
    (local.set $wb (i32.shl (local.get $width) (i32.const 2)))
    (local.set $pb (i32.shl (local.get $pitch) (i32.const 2)))
    (local.set $tail (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2)))
    (block $z (loop $lz
      (br_if $z (i32.ge_u (local.get $r) (local.get $len)))
      (memory.fill (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $pb))) (i32.const 0) (local.get $wb))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lz)))
    (local.set $r (i32.const 0))
    (block $done (loop $lj
      (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $d (i32.add (local.get $out) (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $r) (i32.const 2)))) (local.get $pb))))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $pb))))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $i) (local.get $tail)))
        (v128.store (i32.add (local.get $d) (local.get $i))
          (f32x4.add (v128.load (i32.add (local.get $d) (local.get $i))) (v128.load (i32.add (local.get $s) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l1)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $i) (local.get $wb)))
        (f32.store (i32.add (local.get $d) (local.get $i))
          (f32.add (f32.load (i32.add (local.get $d) (local.get $i))) (f32.load (i32.add (local.get $s) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l2)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lj))))

  ;; Execute a program: commands of 16 i32 each, [opcode, args...], ending with opcode 0; an
  ;; opcode above 20 traps. The opcodes (OPCODES in threads.ts), by the function each calls:
  ;;   1 gemm   m n k a rsA csA b rsB csB c ldc acc scratch
  ;;   2 im2col x ch h w kh kw sh|sw ph|pw dh|dw oh ow col pitch  (a|b: two u16 in one int, a low)
  ;;   3 col2im the same arguments (im2col in reverse, adding)
  ;;   4 map    kind x out n a b                                 (a, b: f32 bits)
  ;;   5 zip    kind a sa0 sa1 sa2 b sb0 sb1 sb2 out d0 d1 d2
  ;;   6 rowsum x rows len out
  ;;   7 maxpool x planes h w kh kw sh sw oh ow out argmax
  ;;   8 maxpool_back dy argmax planes ohw hw dx
  ;;   9 adam   p g m v n lr b1 c1 b2 c2 eps bc1 bc2 l2 decay     (the last ten: f32 bits)
  ;;  10 gather a s0 s1 out t0 t1 d0 d1 d2
  ;;  11 bn_stats x n c s c0 c1 mean var acc
  ;;  12 bn_apply x y n c s c0 c1 mean scale shift
  ;;  13 bn_back dy x dx n c s c0 c1 mean rstd w dw db acc
  ;;  14 act    kind x g out n lo hi                               (lo, hi: f32 bits)
  ;;  15 softmax_rows x out rows n scale                        (scale: f32 bits)
  ;;  16 softmax_back_rows y g out rows n scale                 (scale: f32 bits)
  ;;  17 layernorm x w b out rows n eps flags                   (eps: f32 bits)
  ;;  18 gelu   kind x out n
  ;;  19 scatter_add src idx m pitch width out len
  ;;  20 masked_softmax_rows x out rows n scale mask moffs int  (scale: f32 bits)
  (func (export "run") (param $p i32)
    (local $op i32)
    (loop $next
      (local.set $op (i32.load (local.get $p)))
      (if (i32.gt_u (local.get $op) (i32.const 20)) (then unreachable))
      (if (i32.eq (local.get $op) (i32.const 1))
        (then
          (call $gemm
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p))
            (i32.load offset=52 (local.get $p)))))
      (if (i32.or (i32.eq (local.get $op) (i32.const 2)) (i32.eq (local.get $op) (i32.const 3)))
        (then
          (call $im2col
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load16_u offset=28 (local.get $p)) (i32.load16_u offset=30 (local.get $p))
            (i32.load16_u offset=32 (local.get $p)) (i32.load16_u offset=34 (local.get $p))
            (i32.load16_u offset=36 (local.get $p)) (i32.load16_u offset=38 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p))
            (i32.load offset=52 (local.get $p))
            (i32.eq (local.get $op) (i32.const 3)))))
      (if (i32.eq (local.get $op) (i32.const 10))
        (then
          (call $gather
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 4))
        (then
          (call $map
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (f32.load offset=20 (local.get $p)) (f32.load offset=24 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 5))
        (then
          (call $zip
            (i32.load offset=4 (local.get $p))
            (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p)) (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p))
            (i32.load offset=24 (local.get $p)) (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p)) (i32.load offset=52 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 6))
        (then
          (call $rowsum
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p)) (i32.load offset=16 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 7))
        (then
          (call $maxpool
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 8))
        (then
          (call $maxpool_back
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 9))
        (then
          (call $adam
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p))
            (f32.load offset=24 (local.get $p)) (f32.load offset=28 (local.get $p)) (f32.load offset=32 (local.get $p))
            (f32.load offset=36 (local.get $p)) (f32.load offset=40 (local.get $p)) (f32.load offset=44 (local.get $p))
            (f32.load offset=48 (local.get $p)) (f32.load offset=52 (local.get $p)) (f32.load offset=56 (local.get $p))
            (f32.load offset=60 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 11))
        (then
          (call $bn_stats
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 12))
        (then
          (call $bn_apply
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 13))
        (then
          (call $bn_back
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p))
            (i32.load offset=52 (local.get $p)) (i32.load offset=56 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 14))
        (then
          (call $act
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p))
            (f32.load offset=24 (local.get $p)) (f32.load offset=28 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 15))
        (then
          (call $softmax_rows
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (f32.load offset=20 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 16))
        (then
          (call $softmax_back_rows
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (f32.load offset=24 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 17))
        (then
          (call $layernorm
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (f32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 18))
        (then
          (call $gelu
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 19))
        (then
          (call $scatter_add
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 20))
        (then
          (call $masked_softmax_rows
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (f32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br_if $next (local.get $op))))
)
