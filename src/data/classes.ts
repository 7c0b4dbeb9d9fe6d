// The class names of MNIST and Fashion-MNIST, in a module free of Node so the browser build can share it.

/** Fashion-MNIST's class names, indexed by label (from the dataset's README). */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** MNIST's class names: the digits. */
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
